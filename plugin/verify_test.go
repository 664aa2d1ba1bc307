package plugin

import (
	"strings"
	"testing"
)

func TestVerifyUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "an unknown output format", args: []string{"-o", "xml"},
			want: `--output "xml" is not supported`},
		{name: "an expected node without a name", args: []string{"--expect-node", "=10.10.75.61"},
			want: "has no node name"},
		{name: "an expected node with a bad IP", args: []string{"--expect-node", "w-ledge=10.10.75.300"},
			want: `"10.10.75.300" is not an IPv4 address`},
		{name: "a negative node count", args: []string{"--expect-windows", "-3"},
			want: "--expect-windows -3 must not be negative"},
		{name: "a zero timeout", args: []string{"--wait", "--timeout", "0s"},
			want: "--timeout 0s must be positive"},
		{name: "a config file that is missing", args: []string{"-f", "does-not-exist.json"},
			want: "-f does-not-exist.json"},
		{name: "an argument", args: []string{"node1"}, want: "takes no arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"verify", "--kubeconfig", "testdata/none"}, tc.args...)
			r := runAksee(t, args...)
			if r.code != ExitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, ExitUsage, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tc.want)
			}
		})
	}
}

func TestVerifyUnreachableExitsUnavailable(t *testing.T) {
	r := runAksee(t, "verify", "--server", "https://127.0.0.1:1", "--insecure-skip-tls-verify")
	if r.code != ExitUnavailable {
		t.Errorf("exit %d, want %d; stderr:\n%s", r.code, ExitUnavailable, r.stderr)
	}
	if !strings.Contains(r.stderr, "cannot read the cluster") {
		t.Errorf("stderr does not say why: %q", r.stderr)
	}
}
