package scaleout

import (
	"errors"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func loadPrimary(t *testing.T) *aksedge.Config {
	t.Helper()
	c, err := aksedge.Load(filepath.Join("testdata", "primary.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func articleFacts(f cluster.Flavour) *Facts {
	hash := strings.Repeat("ab", 32)
	if f == cluster.K8s {
		hash = "sha256:" + hash
	}
	return &Facts{
		Flavour:   f,
		ClusterID: "aksee-lab-cluster",
		Endpoint:  cluster.Endpoint{Addr: netip.MustParseAddr("10.10.75.50"), Source: "test"},
		Used:      []cluster.AddressUse{{Addr: netip.MustParseAddr("10.10.75.51"), Owner: "node primary-ledge"}},
		CAHash:    hash,
	}
}

func articleRequest(t *testing.T) Request {
	return Request{
		Primary:   loadPrimary(t),
		NodeType:  aksedge.NodeLinuxAndWindows,
		LinuxIP:   netip.MustParseAddr("10.10.75.62"),
		WindowsIP: netip.MustParseAddr("10.10.75.72"),
		Machine:   "aksee-worker02",
		TTL:       time.Hour,
	}
}

func TestBuildGolden(t *testing.T) {
	tests := []struct {
		name    string
		flavour cluster.Flavour
		node    aksedge.NodeType
		adapter string
	}{
		{name: "k3s-linux-and-windows", flavour: cluster.K3s, node: aksedge.NodeLinuxAndWindows},
		{name: "k3s-linux-only", flavour: cluster.K3s, node: aksedge.NodeLinux, adapter: "Ethernet 2"},
		{name: "k8s-linux-and-windows", flavour: cluster.K8s, node: aksedge.NodeLinuxAndWindows},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := articleRequest(t)
			req.NodeType, req.Adapter = tc.node, tc.adapter
			req.Primary.Network.NetworkPlugin = aksedge.PluginOf(tc.flavour)
			facts := articleFacts(tc.flavour)
			built := Build(req, facts, facts.PlaceholderSecrets())
			for _, f := range aksedge.Validate(aksedge.File{Name: tc.name, Config: built}) {
				t.Errorf("the built file does not validate: %s", f)
			}
			got, err := aksedge.Marshal(built, true)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Build() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildLeavesPrimaryUntouched(t *testing.T) {
	req := articleRequest(t)
	before, _ := aksedge.Marshal(req.Primary, true)
	facts := articleFacts(cluster.K3s)
	Build(req, facts, facts.PlaceholderSecrets())
	after, _ := aksedge.Marshal(req.Primary, true)
	if diff := cmp.Diff(string(before), string(after)); diff != "" {
		t.Errorf("Build changed the primary config (-before +after):\n%s", diff)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Request, *Facts)
		wantErr string
	}{
		{name: "free addresses pass", edit: func(*Request, *Facts) {}},
		{
			name:    "an address a node holds is refused",
			edit:    func(r *Request, _ *Facts) { r.LinuxIP = netip.MustParseAddr("10.10.75.51") },
			wantErr: "--linux-ip 10.10.75.51 is already used by node primary-ledge",
		},
		{
			name:    "the VIP is refused",
			edit:    func(r *Request, _ *Facts) { r.WindowsIP = netip.MustParseAddr("10.10.75.50") },
			wantErr: "--windows-ip 10.10.75.50 is the control-plane endpoint",
		},
		{
			name:    "an address in the service range is refused",
			edit:    func(r *Request, _ *Facts) { r.LinuxIP = netip.MustParseAddr("10.10.75.150") },
			wantErr: "inside the LoadBalancer service range 10.10.75.101-10.10.75.150",
		},
		{
			name:    "a primary of another cluster is refused",
			edit:    func(_ *Request, f *Facts) { f.Endpoint.Addr = netip.MustParseAddr("10.20.0.50") },
			wantErr: "is not this cluster's control-plane endpoint 10.20.0.50",
		},
		{
			name:    "calico on a K3s cluster is refused",
			edit:    func(r *Request, _ *Facts) { r.Primary.Network.NetworkPlugin = "calico" },
			wantErr: `Network.NetworkPlugin is "calico" but the cluster runs k3s`,
		},
		{
			name:    "a K3s control-plane join is refused with the way out",
			edit:    func(r *Request, _ *Facts) { r.ControlPlane = true },
			wantErr: "New-AksEdgeScaleConfig -ControlPlane",
		},
		{
			name: "one address for both nodes is refused",
			edit: func(r *Request, _ *Facts) {
				r.WindowsIP = r.LinuxIP
			},
			wantErr: "each node needs its own address",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, facts := articleRequest(t), articleFacts(cluster.K3s)
			tc.edit(&req, facts)
			err := Check(req, facts)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Check() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrRefused) {
				t.Fatalf("Check() = %v, want ErrRefused containing %q", err, tc.wantErr)
			}
		})
	}
}
