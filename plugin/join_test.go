package plugin

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/hostops"
	"github.com/kubectl-aksee/kubectl-aksee/internal/hostsim"
	"github.com/kubectl-aksee/kubectl-aksee/internal/testcluster"
)

// Canary values: they must never appear in any output, at any verbosity.
const (
	canaryPassword = "Canary-WinRM-Pa55-7f3e"
	joinFixture    = "testdata/join-scale-config.json"
	fixtureSecret  = "0123456789abcdef"
)

func TestJoinDryRunPrintsStepsWithoutSecrets(t *testing.T) {
	res := runAksee(t, "join", "aksee-worker02", "-f", joinFixture, "--dry-run", "-v=10")
	if res.code != ExitOK {
		t.Fatalf("join --dry-run exited %d: %s", res.code, res.stderr)
	}
	for _, want := range []string{"1. preflight", "5. start the deployment", "9. revoke the join token",
		`"ClusterJoinToken": "<redacted>"`} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("the dry run lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout+res.stderr, fixtureSecret) {
		t.Error("the dry run printed the token secret")
	}
}

func TestJoinUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a missing -f", []string{"join", "h"}, "-f SCALE_CONFIG is required"},
		{"no host", []string{"join", "-f", joinFixture}, "exactly one HOST"},
		{"--msi with --msi-url", []string{"join", "h", "-f", joinFixture, "--msi", "a.msi", "--msi-url", "http://x/a.msi"},
			"exclude each other"},
		{"a primary's config instead of a scale config", []string{"join", "h", "-f", "testdata/join-primary.json"},
			"not a scale config"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runAksee(t, tc.args...)
			if res.code != ExitUsage || !strings.Contains(res.stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", res.code, res.stderr, ExitUsage, tc.want)
			}
		})
	}
}

func TestJoinUnreachableHostExitsUnavailable(t *testing.T) {
	c := testcluster.Start(t, testcluster.K3s)
	file := scaleConfig(t, c, "10.10.75.64", "")
	t.Setenv(winrmPasswordEnv, canaryPassword)
	start := time.Now()
	// Port 1 on loopback: nothing listens there.
	res := runAksee(t, "--kubeconfig", c.Kubeconfig, "join", "127.0.0.1:1", "-f", file, "--timeout", "2m")
	if res.code != ExitUnavailable {
		t.Errorf("exit %d, want %d; stderr:\n%s", res.code, ExitUnavailable, res.stderr)
	}
	if d := time.Since(start); d > 90*time.Second {
		t.Errorf("join took %s to give up on a host that never answered", d)
	}
}

// simHost is a simulated AKS EE host on 127.0.0.1 for the join tests.
type simHost struct {
	machine *hostsim.Machine
	addr    string
	caFile  string
}

func startSimHost(t *testing.T, c *testcluster.Cluster, opts hostsim.MachineOptions) *simHost {
	t.Helper()
	opts.Cluster = c.Config
	if opts.Hostname == "" {
		opts.Hostname = "aksee-worker02"
	}
	if opts.Flavour == "" {
		opts.Flavour = string(c.Primary.Flavour)
	}
	opts.DeployDelay = 300 * time.Millisecond
	h, err := hostsim.StartHost(opts, hostsim.ServerOptions{Username: "Administrator", Password: canaryPassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	m, srv := h.Machine, h.Server
	caFile := filepath.Join(t.TempDir(), "hostsim-ca.pem")
	if err := os.WriteFile(caFile, srv.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return &simHost{machine: m, addr: srv.Addr(), caFile: caFile}
}

// scaleConfig runs scale-config for the article's second worker and returns the file.
func scaleConfig(t *testing.T, c *testcluster.Cluster, linuxIP, windowsIP string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "worker.json")
	args := []string{"--kubeconfig", c.Kubeconfig, "scale-config", "--from", writePrimaryConfig(t, c, c.Primary.VIP),
		"--linux-ip", linuxIP, "--machine-name", "aksee-worker02", "--out", out}
	if windowsIP != "" {
		args = append(args, "--windows-ip", windowsIP)
	}
	if res := runAksee(t, args...); res.code != ExitOK {
		t.Fatalf("scale-config exited %d: %s", res.code, res.stderr)
	}
	return out
}

func joinArgs(c *testcluster.Cluster, h *simHost, file string, extra ...string) []string {
	args := []string{"--kubeconfig", c.Kubeconfig, "join", h.addr, "-f", file, "--winrm-ca", h.caFile,
		"--poll-interval", "100ms", "--timeout", "2m"}
	return append(args, extra...)
}

func joinSecret(t *testing.T, file string) (id, secret string) {
	t.Helper()
	cfg, err := aksedge.Load(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := cfg.Join.ClusterJoinToken.Reveal()
	if _, after, ok := strings.Cut(tok, "::"); ok {
		tok = after
	}
	id, secret, _ = strings.Cut(tok, ".")
	return id, secret
}

func bootstrapTokens(t *testing.T, c *testcluster.Cluster) int {
	t.Helper()
	list, err := c.Client.CoreV1().Secrets("kube-system").List(context.Background(),
		metav1.ListOptions{FieldSelector: "type=bootstrap.kubernetes.io/token"})
	if err != nil {
		t.Fatal(err)
	}
	return len(list.Items)
}

func assertNoSecrets(t *testing.T, res result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(res.stdout, s) || strings.Contains(res.stderr, s) {
			t.Errorf("output holds a secret (%d characters)", len(s))
		}
	}
}

func TestJoinTurnsScaleConfigIntoReadyNodes(t *testing.T) {
	c := testcluster.Start(t, testcluster.K3s)
	h := startSimHost(t, c, hostsim.MachineOptions{SwitchDrop: 2 * time.Second, Reboot: 2 * time.Second})
	file := scaleConfig(t, c, "10.10.75.62", "10.10.75.72")
	id, secret := joinSecret(t, file)
	t.Setenv(winrmPasswordEnv, canaryPassword)

	res := runAksee(t, joinArgs(c, h, file, "-v=10")...)
	if res.code != ExitOK {
		t.Fatalf("join exited %d:\n%s", res.code, res.stderr)
	}
	assertNoSecrets(t, res, canaryPassword, secret)
	for _, want := range []string{"node/aksee-worker02-ledge Ready 10.10.75.62 linux",
		"node/aksee-worker02-wedge Ready 10.10.75.72 windows"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
		}
	}
	if !strings.Contains(res.stderr, "not answering") {
		t.Errorf("the faults did not drop the connection:\n%s", res.stderr)
	}
	secrets := c.Client.CoreV1().Secrets("kube-system")
	_, err := secrets.Get(context.Background(), "bootstrap-token-"+id, metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("the bootstrap token was not revoked: %v", err)
	}
	if _, ok := h.machine.File(hostops.RemoteConfig); ok {
		t.Error("the config is still on the host")
	}

	tokens := bootstrapTokens(t, c)
	res = runAksee(t, joinArgs(c, h, file)...)
	if res.code != ExitOK || !strings.Contains(res.stdout, "has already joined") {
		t.Errorf("second join: exit %d, stdout %q, want 0 and already joined", res.code, res.stdout)
	}
	if got := bootstrapTokens(t, c); got != tokens {
		t.Errorf("the second join changed the number of bootstrap tokens from %d to %d", tokens, got)
	}
}

func TestJoinRefusalsLeaveNothingBehind(t *testing.T) {
	c := testcluster.Start(t, testcluster.K3s)
	msi := filepath.Join(t.TempDir(), "AksEdge-K8s-1.11.247.0.msi")
	if err := os.WriteFile(msi, []byte("K8s MSI"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		machine  hostsim.MachineOptions
		password string
		args     func(h *simHost, file string) []string
		edit     func(t *testing.T, file string)
		code     int
		want     []string
	}{
		{name: "a wrong password names the user and the password's source", password: "wrong-password",
			code: ExitFailed, want: []string{`"Administrator"`, winrmPasswordEnv}},
		{name: "an untrusted certificate without --insecure-skip-tls-verify",
			args: func(h *simHost, file string) []string {
				return []string{"join", h.addr, "-f", file, "--timeout", "1m"}
			}, code: ExitFailed, want: []string{"--insecure-skip-tls-verify"}},
		{name: "a token from another cluster is rejected by the host", edit: foreignToken,
			code: ExitFailed, want: []string{"the host says: Joining the cluster failed", "rejected the join token"}},
		{name: "a K8s MSI on a K3s cluster",
			args: func(h *simHost, file string) []string {
				return joinArgs(c, h, file, "--msi", msi)
			}, code: ExitFailed, want: []string{"the MSI AksEdge-K8s-1.11.247.0.msi is K8s but the cluster is K3s"}},
		{name: "two adapters and no --adapter", machine: hostsim.MachineOptions{Adapters: []hostsim.Adapter{
			{Name: "Ethernet", Status: "Up"}, {Name: "Ethernet 2", Status: "Up"}}},
			code: ExitFailed, want: []string{`("Ethernet", "Ethernet 2"); choose one with --adapter`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := startSimHost(t, c, tc.machine)
			file := scaleConfig(t, c, "10.10.75.63", "")
			if tc.edit != nil {
				tc.edit(t, file)
			}
			_, secret := joinSecret(t, file)
			password := canaryPassword
			if tc.password != "" {
				password = tc.password
			}
			t.Setenv(winrmPasswordEnv, password)
			args := joinArgs(c, h, file)
			if tc.args != nil {
				args = append([]string{"--kubeconfig", c.Kubeconfig}, tc.args(h, file)...)
			}
			res := runAksee(t, append(args, "-v=10")...)
			if res.code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", res.code, tc.code, res.stderr)
			}
			for _, want := range tc.want {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
				}
			}
			assertNoSecrets(t, res, canaryPassword, secret)
			if _, ok := h.machine.File(hostops.RemoteConfig); ok {
				t.Error("the config was left on the host")
			}
			if _, err := c.Client.CoreV1().Nodes().Get(context.Background(), "aksee-worker02-ledge",
				metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Errorf("a node was registered: %v", err)
			}
		})
	}
}

// foreignToken replaces the token's id and secret with ones this cluster never issued.
func foreignToken(t *testing.T, file string) {
	t.Helper()
	cfg, err := aksedge.Load(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	pin, _, _ := strings.Cut(cfg.Join.ClusterJoinToken.Reveal(), "::")
	cfg.Join.ClusterJoinToken = aksedge.Secret(pin + "::zzzzzz.abcdefghijklmnop")
	if err := aksedge.WriteFile(file, cfg); err != nil {
		t.Fatal(err)
	}
}
