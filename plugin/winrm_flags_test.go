package plugin

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-aksee/kubectl-aksee/internal/winrm"
)

func TestWinRMOptionsValidate(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "the defaults are valid"},
		{name: "basic auth is accepted", args: []string{"--winrm-auth", "Basic"}},
		{name: "an unknown auth is refused", args: []string{"--winrm-auth", "kerberos"},
			wantErr: `--winrm-auth "kerberos"`},
		{name: "a CA with plain HTTP is refused", args: []string{"--winrm-http", "--winrm-ca", "ca.pem"},
			wantErr: "apply to HTTPS"},
		{name: "a CA and skipping verification are refused",
			args: []string{"--winrm-ca", "ca.pem", "--insecure-skip-tls-verify"}, wantErr: "exclude"},
		{name: "an empty user is refused", args: []string{"--username", ""}, wantErr: "--username"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := newWinRMOptions()
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			o.AddFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := o.Validate()
			if tc.wantErr == "" && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) ||
				ExitCode(err) != ExitUsage) {
				t.Fatalf("error %v, want a usage error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestWinRMOptionsPassword(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "password")
	if err := os.WriteFile(file, []byte("from-file\r\nignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		file       string
		env        string
		wantPass   string
		wantSource string
		wantErr    string
	}{
		{name: "the file wins over the environment", file: file, env: "from-env",
			wantPass: "from-file", wantSource: `--password-file "` + file + `"`},
		{name: "the environment is used without a file", env: "from-env",
			wantPass: "from-env", wantSource: "AKSEE_WINRM_PASSWORD"},
		{name: "without either and no terminal it explains the sources",
			wantErr: "set AKSEE_WINRM_PASSWORD or --password-file"},
		{name: "a missing file is an error", file: filepath.Join(dir, "nope"), wantErr: "--password-file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := newWinRMOptions()
			o.PasswordFile = tc.file
			streams := genericiooptions.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{},
				ErrOut: &bytes.Buffer{}}
			err := o.Complete(streams, func(k string) string {
				if k == winrmPasswordEnv {
					return tc.env
				}
				return ""
			})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{tc.wantPass, tc.wantSource},
				[]string{o.password, o.passwordSource}); diff != "" {
				t.Errorf("password, source (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWinRMOptionsConfig(t *testing.T) {
	o := newWinRMOptions()
	o.password, o.passwordSource = "pw", "AKSEE_WINRM_PASSWORD"
	cfg, err := o.Config("aksee-worker02:15986")
	if err != nil {
		t.Fatal(err)
	}
	want := winrm.Config{Host: "aksee-worker02", Port: 15986, Auth: "ntlm", Username: "Administrator",
		Password: "pw"}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if _, err := o.Config("host:notaport"); ExitCode(err) != ExitUsage {
		t.Errorf("a bad port gave %v, want a usage error", err)
	}
}
