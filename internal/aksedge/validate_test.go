package aksedge

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// validateFiles loads files the way "config validate" does: a file that does not load
// contributes its syntax or type errors, the others are validated together.
func validateFiles(t *testing.T, paths []string) []Finding {
	t.Helper()
	var findings []Finding
	var files []File
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(p)
		c, err := Parse(name, data)
		for _, pe := range ParseErrors(err) {
			findings = append(findings, FromParseError(pe))
		}
		files = append(files, File{Name: name, Config: c})
	}
	return append(findings, Validate(files...)...)
}

// checkGolden compares got with a golden file, or rewrites it with -update.
func checkGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", golden, diff)
	}
}

func TestValidateGolden(t *testing.T) {
	entries, err := os.ReadDir("testdata/validate")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !e.IsDir() && !ok {
			continue
		}
		if e.IsDir() {
			name = e.Name()
		}
		t.Run(name, func(t *testing.T) {
			paths := []string{filepath.Join("testdata/validate", e.Name())}
			if e.IsDir() {
				paths, _ = filepath.Glob(filepath.Join("testdata/validate", name, "*.json"))
			}
			var b strings.Builder
			for _, f := range validateFiles(t, paths) {
				b.WriteString(f.String() + "\n")
			}
			checkGolden(t, filepath.Join("testdata/validate", name+".golden"), b.String())
			clean := strings.Contains(name, "-is-clean") || strings.HasPrefix(name, "single-machine-minimal")
			if got := HasErrors(validateFiles(t, paths), false); got == clean {
				t.Errorf("HasErrors = %v, but the case name says clean = %v", got, clean)
			}
		})
	}
}

func TestValidateAcceptsFilesAKSEEWrote(t *testing.T) {
	paths, _ := filepath.Glob("testdata/roundtrip/*.json")
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			for _, f := range validateFiles(t, []string{p}) {
				if f.Severity == SeverityError {
					t.Errorf("unexpected error: %s", f)
				}
			}
		})
	}
}

func TestValidateNewConfigTemplatesNeedOnlyTheOperatorsValues(t *testing.T) {
	c, err := NewConfig(ScalableCluster, LatestSchemaVersion, NodeLinux)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range Validate(File{Name: "new.json", Config: c}) {
		if f.Severity == SeverityError {
			got = append(got, f.Path)
		}
	}
	want := []string{
		"Network.Ip4GatewayAddress", "Network.ControlPlaneEndpointIp", "Network.DnsServers",
		"Init.ServiceIPRangeStart", "Machines[0].NetworkConnection.AdapterName",
		"Machines[0].LinuxNode.Ip4Address",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys the operator must fill (-want +got):\n%s", diff)
	}
}

func TestFindingString(t *testing.T) {
	tests := []struct {
		name string
		f    Finding
		want string
	}{
		{"an error names file and key", Finding{File: "a.json", Path: "Network.DnsServers",
			Severity: SeverityError, Message: "empty"}, "a.json: Network.DnsServers: empty"},
		{"a warning says so", Finding{File: "a.json", Path: "User.AcceptEula",
			Severity: SeverityWarning, Message: "not true"}, "a.json: User.AcceptEula: warning: not true"},
		{"a syntax error has a position", Finding{File: "a.json", Line: 3, Column: 7,
			Severity: SeverityError, Message: "unexpected end"}, "a.json:3:7: unexpected end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestValidateCountsMachinesAndControlPlanes(t *testing.T) {
	primaryData, err := os.ReadFile("testdata/validate/lab-primary-is-clean.json")
	if err != nil {
		t.Fatal(err)
	}
	joinData, err := os.ReadFile("testdata/validate/k3s-worker-join-is-clean.json")
	if err != nil {
		t.Fatal(err)
	}
	// cluster returns the primary and n join files, the first planes of which add control
	// planes (with a server token, as a K3s control-plane join needs).
	cluster := func(n, planes int) []File {
		primary, _ := Parse("primary.json", primaryData)
		files := []File{{Name: "primary.json", Config: primary}}
		for i := range n {
			c, _ := Parse("join.json", joinData)
			m := &c.Machines[0]
			m.LinuxNode.Ip4Address = "10.10.75." + itoa(160+i)
			m.WindowsNode.Ip4Address = "10.10.75." + itoa(200+i)
			if i < planes {
				m.LinuxNode.ControlPlane = Ptr(true)
				c.Join.ClusterJoinToken = Secret("K10" + strings.Repeat("ab", 32) + "::server:pw")
			}
			files = append(files, File{Name: "join" + itoa(i+1) + ".json", Config: c})
		}
		return files
	}
	tests := []struct {
		name         string
		joins        int
		planes       int
		wantFindings []string
	}{
		{"three control planes and fourteen workers' worth of machines pass", 14, 2, nil},
		{"a sixteenth machine is refused", 15, 0, []string{
			"join15.json: Machines: brings the cluster to 16 machines; AKS EE supports at most 15"}},
		{"an even number of control planes is a warning", 2, 1, []string{
			"join2.json: Machines: warning: the files add up to 2 control planes; etcd keeps quorum " +
				"with an odd number, so plan for 3"}},
		{"six control planes are refused", 5, 5, []string{
			"join5.json: Machines: the files add up to 6 control planes; AKS EE supports 1, 3 or 5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range Validate(cluster(tc.joins, tc.planes)...) {
				got = append(got, f.String())
			}
			if diff := cmp.Diff(tc.wantFindings, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
