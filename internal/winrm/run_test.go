package winrm_test

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-aksee/kubectl-aksee/internal/hostsim"
	"github.com/kubectl-aksee/kubectl-aksee/internal/winrm"
)

func TestRunPowerShell(t *testing.T) {
	cases := []struct {
		name     string
		http     bool
		auth     string
		script   string
		wantOut  string
		wantErr  string
		wantCode int
	}{
		{name: "ntlm over https runs the script", auth: "ntlm", script: "out hello\nerr careful\nexit 0",
			wantOut: "hello\n", wantErr: "careful\n"},
		{name: "basic over https passes the exit code", auth: "basic", script: "out bye\nexit 3",
			wantOut: "bye\n", wantCode: 3},
		{name: "ntlm over http runs the script", http: true, auth: "ntlm", script: "out plain",
			wantOut: "plain\n"},
		{name: "basic over http runs the script", http: true, auth: "basic", script: "err only\nexit 1",
			wantErr: "only\n", wantCode: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			exec := newScriptExecutor(t)
			srv := startHost(t, exec, func(o *hostsim.ServerOptions) {
				o.HTTP = tc.http
				// Without Basic on the host, a client that did not do NTLM fails.
				o.DisableBasic = tc.auth == winrm.AuthNTLM
			})
			c := clientFor(t, srv, func(cfg *winrm.Config) { cfg.Auth = tc.auth })
			var stdout, stderr bytes.Buffer
			code, err := c.RunPowerShell(testContext(t), tc.script, &stdout, &stderr)
			if err != nil {
				t.Fatal(err)
			}
			got := []any{code, stdout.String(), stderr.String()}
			want := []any{tc.wantCode, tc.wantOut, tc.wantErr}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("code, stdout, stderr (-want +got):\n%s", diff)
			}
			wantLine := winrm.PowerShellPrefix + winrm.EncodeCommand(tc.script)
			if diff := cmp.Diff(wantLine, exec.lastCommand().Line); diff != "" {
				t.Errorf("command line (-want +got):\n%s", diff)
			}
		})
	}
}
