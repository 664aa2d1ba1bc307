package hostops

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestScriptsMatchGolden(t *testing.T) {
	for name, script := range AllScripts() {
		t.Run(name, func(t *testing.T) {
			golden := filepath.Join("testdata", "scripts", name)
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(script), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if diff := cmp.Diff(string(want), script); diff != "" {
				t.Errorf("script %s differs from %s (-want +got):\n%s", name, golden, diff)
			}
		})
	}
}

// TestScriptsStayPortable checks rules that keep the scripts valid Windows PowerShell 5.1 and
// readable by the simulated host: ASCII only, no PowerShell 7 operators, no tabs.
func TestScriptsStayPortable(t *testing.T) {
	forbidden := []string{"??", "?.", "&&", "||", "\t", "-Parallel", "ForEach-Object -Parallel"}
	for name, script := range AllScripts() {
		for i, r := range script {
			if r > 126 {
				t.Errorf("%s: non-ASCII character %q at offset %d", name, r, i)
			}
		}
		for _, f := range forbidden {
			if strings.Contains(script, f) {
				t.Errorf("%s: contains %q, which Windows PowerShell 5.1 does not understand", name, f)
			}
		}
	}
}

func TestPSQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{`C:\ProgramData\aksee`, `'C:\ProgramData\aksee'`},
		{"it's", "'it''s'"},
		{"$env:x", "'$env:x'"},
	}
	for _, tc := range tests {
		if got := psQuote(tc.in); got != tc.want {
			t.Errorf("psQuote(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
