package localcluster

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewPrimaryMatchesTheAPIServerVersion(t *testing.T) {
	tests := []struct {
		name    string
		flavour Flavour
		server  string
		want    string
	}{
		{"k3s adds the k3s suffix", K3s, "v1.37.2", "v1.37.2+k3s1"},
		{"k8s keeps the version", K8s, "v1.37.2", "v1.37.2"},
		{"a build suffix is dropped", K8s, "v1.37.2+abc", "v1.37.2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPrimary(tc.flavour, tc.server)
			if diff := cmp.Diff(tc.want, p.KubeletVersion); diff != "" {
				t.Errorf("kubelet version (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewPrimaryUsesTheArticleLab(t *testing.T) {
	want := Primary{
		ClusterName: "aksee-lab", HostName: "aksee-primary", NodeName: "aksee-primary-ledge",
		NodeIP: "10.10.75.51", VIP: "10.10.75.50", ServiceIPStart: "10.10.75.101",
		ServiceIPSize: 50, Flavour: K3s, KubeletVersion: "v1.37.2+k3s1",
	}
	if diff := cmp.Diff(want, NewPrimary(K3s, "v1.37.2")); diff != "" {
		t.Errorf("primary (-want +got):\n%s", diff)
	}
}

func TestServiceIPRange(t *testing.T) {
	tests := []struct {
		name    string
		start   string
		size    int
		want    string
		wantErr bool
	}{
		{"fifty addresses", "10.10.75.101", 50, "10.10.75.101-10.10.75.150", false},
		{"one address", "10.10.75.101", 1, "10.10.75.101-10.10.75.101", false},
		{"size zero means no range", "10.10.75.101", 0, "", false},
		{"crosses an octet", "10.10.75.250", 10, "10.10.75.250-10.10.76.3", false},
		{"not an address", "10.10.75", 5, "", true},
		{"past the end of IPv4", "255.255.255.250", 10, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Primary{ServiceIPStart: tc.start, ServiceIPSize: tc.size}.ServiceIPRange()
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("range (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseFlavour(t *testing.T) {
	tests := []struct {
		in      string
		want    Flavour
		wantErr bool
	}{
		{"k3s", K3s, false},
		{"K8S", K8s, false},
		{"rke2", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFlavour(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("ParseFlavour(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}
