package winrm_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-aksee/kubectl-aksee/internal/hostsim"
	"github.com/kubectl-aksee/kubectl-aksee/internal/winrm"
)

func TestRunPowerShellErrors(t *testing.T) {
	cases := []struct {
		name     string
		server   func(*hostsim.ServerOptions)
		client   func(*winrm.Config)
		want     error
		contains []string
	}{
		{name: "a wrong password over ntlm is an auth error naming the user",
			client:   func(c *winrm.Config) { c.Password = "Wrong-Canary-1" },
			want:     winrm.ErrAuth,
			contains: []string{`"Administrator"`, "ntlm", "401"}},
		{name: "a wrong password over basic is an auth error naming the user",
			client:   func(c *winrm.Config) { c.Auth = "basic"; c.Password = "Wrong-Canary-1" },
			want:     winrm.ErrAuth,
			contains: []string{`"Administrator"`, "basic"}},
		{name: "an unknown user is an auth error",
			client: func(c *winrm.Config) { c.Username = "someone" },
			want:   winrm.ErrAuth, contains: []string{`"someone"`}},
		{name: "basic against a host without basic is an auth error",
			server: func(o *hostsim.ServerOptions) { o.DisableBasic = true },
			client: func(c *winrm.Config) { c.Auth = "basic" },
			want:   winrm.ErrAuth, contains: []string{"basic"}},
		{name: "a host that rejects everything is an auth error",
			server: func(o *hostsim.ServerOptions) { o.Reject401 = true },
			want:   winrm.ErrAuth},
		{name: "an untrusted certificate is a TLS error",
			client: func(c *winrm.Config) { c.CACert = nil },
			want:   winrm.ErrTLS, contains: []string{"certificate"}},
		{name: "HTTPS to an HTTP listener is a TLS error",
			server: func(o *hostsim.ServerOptions) { o.HTTP = true },
			client: func(c *winrm.Config) { c.HTTP = false },
			want:   winrm.ErrTLS},
		{name: "a closed port is unreachable",
			client: func(c *winrm.Config) { c.Port = closedPort(t); c.Retry = -1 },
			want:   winrm.ErrUnreachable},
		{name: "a host slower than the response timeout is a timeout",
			server: func(o *hostsim.ServerOptions) { o.SlowResponses = 2 * time.Second },
			client: func(c *winrm.Config) { c.ResponseTimeout = 300 * time.Millisecond; c.Retry = -1 },
			want:   winrm.ErrTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startHost(t, newScriptExecutor(t), tc.server)
			c := clientFor(t, srv, tc.client)
			_, err := c.RunPowerShell(testContext(t), "out never", nil, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want errors.Is %v", err, tc.want)
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "Canary") {
				t.Errorf("error %q contains a password", err)
			}
		})
	}
}

func TestInsecureSkipsVerification(t *testing.T) {
	srv := startHost(t, newScriptExecutor(t), nil)
	c := clientFor(t, srv, func(c *winrm.Config) { c.CACert = nil; c.Insecure = true })
	var out bytes.Buffer
	if _, err := c.RunPowerShell(testContext(t), "out fine", &out, nil); err != nil {
		t.Fatal(err)
	}
	if out.String() != "fine\n" {
		t.Errorf("stdout %q, want %q", out.String(), "fine\n")
	}
}

func TestAuthErrorsAreNotRetried(t *testing.T) {
	srv := startHost(t, newScriptExecutor(t), func(o *hostsim.ServerOptions) { o.Reject401 = true })
	c := clientFor(t, srv, nil)
	start := time.Now()
	_, err := c.RunPowerShell(testContext(t), "out never", nil, nil)
	if !errors.Is(err, winrm.ErrAuth) {
		t.Fatalf("error %v, want ErrAuth", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("auth failure took %s; it must not be retried", elapsed)
	}
}
