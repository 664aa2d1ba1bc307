package aksedge

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewConfigFollowsSchemaAndNodeType(t *testing.T) {
	tests := []struct {
		name           string
		deploymentType string
		schema         string
		nodeType       NodeType
		wantKms        bool
		wantLogSize    bool
		wantLinux      bool
		wantWindows    bool
	}{
		{"the latest schema has every key", "ScalableCluster", "1.16", NodeLinux, true, true, true, false},
		{"schema 1.14 predates the KMS plugin", "scalablecluster", "1.14", NodeLinuxAndWindows,
			false, true, true, true},
		{"schema 1.8 predates the log size", "SingleMachineCluster", "1.8", NodeLinux, false, false, true, false},
		{"a Windows-only machine has no Linux node", "ScalableCluster", "1.16", NodeWindows,
			true, false, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewConfig(tc.deploymentType, tc.schema, tc.nodeType)
			if err != nil {
				t.Fatal(err)
			}
			m := c.Machines[0]
			got := []any{c.SchemaVersion, c.Init.KmsPlugin != nil,
				m.LinuxNode != nil && m.LinuxNode.LogSizeInGB != nil, m.LinuxNode != nil, m.WindowsNode != nil}
			want := []any{tc.schema, tc.wantKms, tc.wantLogSize, tc.wantLinux, tc.wantWindows}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if c.IsJoin() {
				t.Errorf("a new config counts as a join file")
			}
		})
	}
}

func TestNewConfigRejectsUnknownInput(t *testing.T) {
	if _, err := NewConfig("CapiCluster", "1.16", NodeLinux); err == nil {
		t.Error("NewConfig accepted deployment type CapiCluster")
	}
	if _, err := NewConfig(ScalableCluster, "latest", NodeLinux); err == nil {
		t.Error("NewConfig accepted schema version \"latest\"")
	}
}

func TestJoinFlavour(t *testing.T) {
	tests := []struct {
		name string
		join *Join
		want Flavour
	}{
		{"no join block", nil, ""},
		{"a K10 token is K3s", &Join{ClusterJoinToken: "K10abc::abcdef.0123456789abcdef"}, K3s},
		{"a discovery hash is K8s", &Join{DiscoveryTokenHash: "sha256:00"}, K8s},
		{"a bare bootstrap token is K8s", &Join{ClusterJoinToken: "abcdef.0123456789abcdef"}, K8s},
		{"an empty block tells nothing", &Join{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.join.Flavour(); got != tc.want {
				t.Errorf("Flavour() = %q, want %q", got, tc.want)
			}
		})
	}
}
