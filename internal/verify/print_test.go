package verify

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// brokenK3s is the lab with a NotReady Linux node, a missing Windows node and a crash-looping
// kube-vip.
func brokenK3s() *State {
	s := healthyK3s()
	notReady(nodeNamed(s, "worker1-ledge"))
	removeNode(s, "worker2-wedge")
	crashLooping(12)(&s.SystemPods[1])
	return s
}

func TestReportGolden(t *testing.T) {
	tests := []struct {
		name  string
		state func() *State
	}{
		{name: "healthy", state: healthyK3s},
		{name: "broken", state: brokenK3s},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			report := Evaluate(tc.state(), labExpectations(), DefaultOptions())
			var table, wide bytes.Buffer
			if err := WriteTable(&table, report, false); err != nil {
				t.Fatal(err)
			}
			if err := WriteTable(&wide, report, true); err != nil {
				t.Fatal(err)
			}
			data, err := json.MarshalIndent(report, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".txt", table.Bytes())
			golden(t, tc.name+".wide.txt", wide.Bytes())
			golden(t, tc.name+".json", append(data, '\n'))
		})
	}
}

func TestWriteProgress(t *testing.T) {
	var buf bytes.Buffer
	WriteProgress(&buf, Evaluate(brokenK3s(), labExpectations(), DefaultOptions()))
	golden(t, "progress.txt", buf.Bytes())
}

func TestFoldPasses(t *testing.T) {
	in := []Result{
		pass(CheckNodeReady, "node/a", "Ready"),
		fail(CheckNodeReady, "node/b", "NotReady"),
		pass(CheckNodeReady, "node/c", "Ready"),
		pass(CheckCoreDNS, "pod/kube-system/coredns-1", "Ready on node a"),
		pass(CheckKubelet, "node/a", "kubelet v1"),
		pass(CheckKubelet, "node/c", "kubelet v2"),
	}
	want := []Result{
		pass(CheckNodeReady, "2 nodes", "Ready"),
		fail(CheckNodeReady, "node/b", "NotReady"),
		pass(CheckCoreDNS, "pod/kube-system/coredns-1", "Ready on node a"),
		pass(CheckKubelet, "2 nodes", "all passed"),
	}
	if diff := cmp.Diff(want, foldPasses(in)); diff != "" {
		t.Errorf("foldPasses (-want +got):\n%s", diff)
	}
}
