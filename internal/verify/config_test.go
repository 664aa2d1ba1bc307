package verify

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
)

const scaleConfig = `{
  "SchemaVersion": "1.14",
  "Version": "1.0",
  "DeploymentType": "ScalableCluster",
  "Join": {"ClusterJoinToken": "K10abc::id.secret", "ClusterID": "aksedge-lab"},
  "Network": {"ControlPlaneEndpointIp": "10.10.75.50", "NetworkPlugin": "flannel"},
  "Machines": [{
    "LinuxNode": {"Ip4Address": "10.10.75.62"},
    "WindowsNode": {"Ip4Address": "10.10.75.72"}
  }]
}`

func TestAddConfig(t *testing.T) {
	c, err := aksedge.Parse("worker2.json", []byte(scaleConfig))
	if err != nil {
		t.Fatal(err)
	}
	e := NoExpectations()
	if err := e.AddConfig("worker2.json", c); err != nil {
		t.Fatal(err)
	}
	want := Expectations{
		Nodes: []ExpectedNode{
			{IP: mustAddr("10.10.75.62"), OS: Linux, Source: "worker2.json: Machines[0].LinuxNode.Ip4Address"},
			{IP: mustAddr("10.10.75.72"), OS: Windows, Source: "worker2.json: Machines[0].WindowsNode.Ip4Address"},
		},
		Linux: -1, Windows: -1, VIP: mustAddr("10.10.75.50"), ClusterID: "aksedge-lab",
	}
	if diff := cmp.Diff(want, e, cmp.Comparer(func(a, b ExpectedNode) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("expectations (-want +got):\n%s", diff)
	}
}

func TestAddConfigRejects(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{name: "a bad node IP", data: `{"Machines":[{"LinuxNode":{"Ip4Address":"10.10.75.300"}}]}`,
			want: `f.json: Machines[0].LinuxNode.Ip4Address "10.10.75.300" is not an IPv4 address`},
		{name: "a VIP that differs between files",
			data: `{"Network":{"ControlPlaneEndpointIp":"10.10.75.49"}}`,
			want: "differs from 10.10.75.50 in another file"},
		{name: "a cluster id that differs between files", data: `{"Join":{"ClusterId":"other"}}`,
			want: `Join.ClusterId "other" differs`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NoExpectations()
			first, err := aksedge.Parse("first.json", []byte(scaleConfig))
			if err != nil {
				t.Fatal(err)
			}
			if err := e.AddConfig("first.json", first); err != nil {
				t.Fatal(err)
			}
			c, err := aksedge.Parse("f.json", []byte(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			err = e.AddConfig("f.json", c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
