package hostsim_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-aksee/kubectl-aksee/internal/hostops"
	"github.com/kubectl-aksee/kubectl-aksee/internal/hostsim"
	"github.com/kubectl-aksee/kubectl-aksee/internal/winrm"
)

const testPassword = "Machine-Test-Pa55"

// startHost serves a simulated machine over WinRM (HTTPS) and returns a client for it.
func startHost(t *testing.T, opts hostsim.MachineOptions) (*hostsim.Machine, *winrm.Client) {
	t.Helper()
	m := hostsim.NewMachine(opts)
	srv, err := hostsim.NewServer(hostsim.ServerOptions{
		Username: "Administrator", Password: testPassword, Executor: m,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	m.Attach(srv)
	t.Cleanup(func() { _ = srv.Close(); _ = m.Close() })
	host, port := splitAddr(t, srv.Addr())
	c, err := winrm.New(winrm.Config{Host: host, Port: port, CACert: srv.CACertPEM(),
		Username: "Administrator", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return m, c
}

func splitAddr(t *testing.T, addr string) (string, int) {
	t.Helper()
	i := strings.LastIndex(addr, ":")
	var port int
	for _, r := range addr[i+1:] {
		port = port*10 + int(r-'0')
	}
	return addr[:i], port
}

func TestMachineOverWinRM(t *testing.T) {
	m, c := startHost(t, hostsim.MachineOptions{Hostname: "aksee-worker02", Flavour: "k3s"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	scripts := hostops.AllScripts()
	var out, errOut bytes.Buffer
	code, err := c.RunPowerShell(ctx, scripts["prepare-dir.ps1"], &out, &errOut)
	if err != nil || code != 0 {
		t.Fatalf("prepare-dir: code %d, err %v, stderr %s", code, err, errOut.String())
	}
	if acl := m.ACL(hostops.RemoteDir); len(acl) != 2 {
		t.Errorf("ACL of %s = %q, want Administrators and SYSTEM only", hostops.RemoteDir, acl)
	}
	content := bytes.Repeat([]byte("0123456789abcdef"), 100000)
	if err := c.CopyFile(ctx, bytes.NewReader(content), hostops.RemoteConfig); err != nil {
		t.Fatalf("CopyFile: %v", err)
	}
	if got, _ := m.File(hostops.RemoteConfig); !bytes.Equal(got, content) {
		t.Errorf("the copied file has %d bytes, want %d identical ones", len(got), len(content))
	}
	out.Reset()
	// A script longer than a command line goes through winrm's bootstrap.
	long := strings.Repeat("# padding to pass the command-line limit\n", 400) + "'long=' + $env:COMPUTERNAME"
	if code, err := c.RunPowerShell(ctx, long, &out, &errOut); err != nil || code != 0 {
		t.Fatalf("long script: code %d, err %v, stderr %s", code, err, errOut.String())
	}
	if got := strings.TrimSpace(out.String()); got != "long=AKSEE-WORKER02" {
		t.Errorf("long script printed %q", got)
	}
}
