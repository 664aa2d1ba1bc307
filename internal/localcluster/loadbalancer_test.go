package localcluster

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestParsePool(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr bool
	}{
		{"a range", "10.10.75.101-10.10.75.150", "10.10.75.101-10.10.75.150", false},
		{"spaces around the addresses", " 10.0.0.1 - 10.0.0.2 ", "10.0.0.1-10.0.0.2", false},
		{"empty means no addresses", "", "invalid IP-invalid IP", false},
		{"a CIDR is not a range", "10.10.75.0/24", "", true},
		{"reversed", "10.0.0.9-10.0.0.1", "", true},
		{"IPv6", "fd00::1-fd00::9", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parsePool(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tc.want, p.first.String()+"-"+p.last.String()); diff != "" {
				t.Errorf("pool (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPoolPick(t *testing.T) {
	pool, err := parsePool("10.10.75.101-10.10.75.103")
	if err != nil {
		t.Fatal(err)
	}
	used := func(ips ...string) map[netip.Addr]bool {
		m := map[netip.Addr]bool{}
		for _, ip := range ips {
			m[netip.MustParseAddr(ip)] = true
		}
		return m
	}
	tests := []struct {
		name   string
		asked  string
		used   map[netip.Addr]bool
		want   string
		wantOK bool
	}{
		{"the first address when all are free", "", used(), "10.10.75.101", true},
		{"the lowest free address", "", used("10.10.75.101", "10.10.75.103"), "10.10.75.102", true},
		{"nothing when the pool is full", "", used("10.10.75.101", "10.10.75.102", "10.10.75.103"), "", false},
		{"the asked address when free", "10.10.75.103", used(), "10.10.75.103", true},
		{"nothing when the asked address is taken", "10.10.75.101", used("10.10.75.101"), "", false},
		{"nothing when the asked address is outside", "10.10.76.1", used(), "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc := &corev1.Service{Spec: corev1.ServiceSpec{LoadBalancerIP: tc.asked}}
			ip, ok := pool.pick(svc, tc.used)
			got := ""
			if ok {
				got = ip.String()
			}
			if ok != tc.wantOK || got != tc.want {
				t.Errorf("pick = %q, %v; want %q, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestEmptyPoolGivesNothing(t *testing.T) {
	pool, err := parsePool("")
	if err != nil {
		t.Fatal(err)
	}
	if ip, ok := pool.pick(&corev1.Service{}, nil); ok {
		t.Errorf("an empty pool gave %s", ip)
	}
}

func TestPendingServices(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	svc := func(name string, typ corev1.ServiceType, age time.Duration, ingress string) *corev1.Service {
		s := &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", CreationTimestamp: metav1.NewTime(t0.Add(age))},
			Spec:       corev1.ServiceSpec{Type: typ},
		}
		if ingress != "" {
			s.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: ingress}}
		}
		return s
	}
	class := svc("classed", corev1.ServiceTypeLoadBalancer, 0, "")
	class.Spec.LoadBalancerClass = new("example.com/other")
	in := []*corev1.Service{
		svc("newer", corev1.ServiceTypeLoadBalancer, 2*time.Second, ""),
		svc("cluster-ip", corev1.ServiceTypeClusterIP, 0, ""),
		svc("done", corev1.ServiceTypeLoadBalancer, 0, "10.10.75.101"),
		svc("older", corev1.ServiceTypeLoadBalancer, time.Second, ""),
		class,
	}

	var got []string
	for _, s := range pendingServices(in) {
		got = append(got, s.Name)
	}
	if diff := cmp.Diff([]string{"older", "newer"}, got); diff != "" {
		t.Errorf("pending services (-want +got):\n%s", diff)
	}
}
