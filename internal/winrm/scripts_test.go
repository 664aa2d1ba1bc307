package winrm_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-aksee/kubectl-aksee/internal/winrm"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestScriptsGolden keeps the PowerShell the package sends for itself under review: a change
// to what runs on every host shows up as a diff of testdata/*.ps1.
func TestScriptsGolden(t *testing.T) {
	cases := []struct {
		name   string
		script string
	}{
		{name: "copy.ps1", script: winrm.CopyScript},
		{name: "bootstrap.ps1", script: winrm.BootstrapScript},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join("testdata", tc.name)
			if *update {
				if err := os.WriteFile(path, []byte(tc.script), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), tc.script); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

func TestEncodeCommandRoundTrips(t *testing.T) {
	cases := map[string]string{
		"ascii":               "Get-Date",
		"quotes and newlines": "$a = 'x'\n\"$a\"",
		"outside the BMP":     "'𝄞 ü'",
		"empty":               "",
	}
	for name, script := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := winrm.DecodeCommand(winrm.EncodeCommand(script))
			if err != nil {
				t.Fatal(err)
			}
			if got != script {
				t.Errorf("round trip gave %q, want %q", got, script)
			}
		})
	}
	// powershell.exe expects base64 of UTF-16LE: "ab" is 61 00 62 00.
	if got := winrm.EncodeCommand("ab"); got != "YQBiAA==" {
		t.Errorf("EncodeCommand(%q) = %q, want %q", "ab", got, "YQBiAA==")
	}
}
