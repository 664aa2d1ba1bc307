package hostops_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
	"github.com/kubectl-aksee/kubectl-aksee/internal/hostops"
	"github.com/kubectl-aksee/kubectl-aksee/internal/hostsim"
	"github.com/kubectl-aksee/kubectl-aksee/internal/testcluster"
	"github.com/kubectl-aksee/kubectl-aksee/internal/winrm"
)

func TestMain(m *testing.M) { testcluster.Main(m) }

const simPassword = "Hostops-Integration-Pa55"

// simHost is a simulated host served over WinRM, and a client for it.
type simHost struct {
	machine *hostsim.Machine
	client  *winrm.Client
	addr    string
}

func startSim(t *testing.T, opts hostsim.MachineOptions) *simHost {
	t.Helper()
	h, err := hostsim.StartHost(opts, hostsim.ServerOptions{Username: "Administrator", Password: simPassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	m, srv := h.Machine, h.Server
	host, portText, _ := net.SplitHostPort(srv.Addr())
	port, _ := strconv.Atoi(portText)
	c, err := winrm.New(winrm.Config{Host: host, Port: port, CACert: srv.CACertPEM(),
		Username: "Administrator", Password: simPassword, Retry: -1})
	if err != nil {
		t.Fatal(err)
	}
	return &simHost{machine: m, client: c, addr: srv.Addr()}
}

// joinConfig writes what scale-config would for the cluster: a fresh bootstrap token, the CA
// pin, the cluster id and the primary's network.
func joinConfig(t *testing.T, c *testcluster.Cluster, linuxIP, windowsIP string) (*aksedge.Config, string) {
	t.Helper()
	ctx := context.Background()
	f := cluster.Flavour(c.Primary.Flavour)
	tok, err := cluster.MintToken(ctx, c.Client, cluster.TokenOptions{Flavour: f, TTL: time.Hour, Machine: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := cluster.CA(ctx, c.Client, c.Config)
	if err != nil {
		t.Fatal(err)
	}
	join := &aksedge.Join{ClusterId: c.Primary.ClusterName}
	if f == cluster.K3s {
		hash, err := cluster.K3sCAHash(ctx, c.Config, ca)
		if err != nil {
			t.Fatal(err)
		}
		join.ClusterJoinToken = aksedge.Secret(cluster.K3sJoinToken(hash, tok))
	} else {
		join.ClusterJoinToken = aksedge.Secret(tok.Value())
		if join.DiscoveryTokenHash, err = cluster.DiscoveryTokenHash(ca.PEM); err != nil {
			t.Fatal(err)
		}
	}
	cfg := &aksedge.Config{
		SchemaVersion: "1.14", Version: "1.0", DeploymentType: "ScalableCluster", Join: join,
		Network: &aksedge.Network{
			ControlPlaneEndpointIp: c.Primary.VIP, NetworkPlugin: aksedge.PluginOf(aksedge.Flavour(f)),
			Ip4GatewayAddress: "10.10.75.1", Ip4PrefixLength: aksedge.Ptr(24), DnsServers: []string{"8.8.8.8"},
		},
		User: &aksedge.User{AcceptEula: aksedge.Ptr(true)},
		Machines: []aksedge.Machine{{
			NetworkConnection: &aksedge.NetworkConnection{AdapterName: "Ethernet"},
			LinuxNode:         &aksedge.LinuxNode{CpuCount: aksedge.Ptr(4), MemoryInMB: aksedge.Ptr(4096), Ip4Address: linuxIP},
		}},
	}
	if windowsIP != "" {
		cfg.Machines[0].WindowsNode = &aksedge.WindowsNode{CpuCount: aksedge.Ptr(2),
			MemoryInMB: aksedge.Ptr(4096), Ip4Address: windowsIP}
	}
	return cfg, tok.ID
}

func runJoin(t *testing.T, h *simHost, c *testcluster.Cluster, cfg *aksedge.Config,
	change func(*hostops.Options)) (*hostops.Result, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	o := hostops.Options{Host: h.client, HostName: h.addr, Client: c.Client,
		Flavour: cluster.Flavour(c.Primary.Flavour), Config: cfg, PollInterval: 100 * time.Millisecond,
		Out: &out, ErrOut: &errOut}
	if change != nil {
		change(&o)
	}
	res, err := hostops.Run(ctx, o)
	t.Logf("join output:\n%s%s", out.String(), errOut.String())
	return res, errOut.String(), err
}

func tokenExists(t *testing.T, c kubernetes.Interface, id string) bool {
	t.Helper()
	_, err := c.CoreV1().Secrets("kube-system").Get(context.Background(), "bootstrap-token-"+id, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

func checkNode(t *testing.T, c kubernetes.Interface, name, ip, os string) {
	t.Helper()
	n, err := c.CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("node %s: %v", name, err)
	}
	var gotIP string
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			gotIP = a.Address
		}
	}
	ready := false
	for _, cond := range n.Status.Conditions {
		ready = ready || cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue
	}
	if gotIP != ip || n.Labels["kubernetes.io/os"] != os || !ready {
		t.Errorf("node %s: InternalIP %s, os %q, Ready %v; want %s, %q, true", name, gotIP,
			n.Labels["kubernetes.io/os"], ready, ip, os)
	}
}

func TestJoinRegistersReadyNodes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		flavour   testcluster.Flavour
		machine   hostsim.MachineOptions
		installed string
	}{
		{name: "K3s host with the switch drop and a reboot", flavour: testcluster.K3s, machine: hostsim.MachineOptions{
			SwitchDrop: 2 * time.Second, Reboot: 2 * time.Second}},
		{name: "K8s host", flavour: testcluster.K8s, machine: hostsim.MachineOptions{HostFeatures: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testcluster.Start(t, tc.flavour)
			opts := tc.machine
			opts.Hostname, opts.Cluster, opts.Flavour = "aksee-worker02", c.Config, string(tc.flavour)
			opts.DeployDelay = 500 * time.Millisecond
			h := startSim(t, opts)
			cfg, id := joinConfig(t, c, "10.10.75.62", "10.10.75.72")
			res, _, err := runJoin(t, h, c, cfg, nil)
			if err != nil {
				t.Fatalf("join: %v", err)
			}
			if len(res.Nodes) != 2 || res.AlreadyJoined {
				t.Errorf("result %+v, want two new nodes", res)
			}
			checkNode(t, c.Client, "aksee-worker02-ledge", "10.10.75.62", "linux")
			checkNode(t, c.Client, "aksee-worker02-wedge", "10.10.75.72", "windows")
			if tokenExists(t, c.Client, id) {
				t.Error("the bootstrap token still exists after the join")
			}
			if _, ok := h.machine.File(hostops.RemoteConfig); ok {
				t.Error("the config is still on the host")
			}
			if tc.machine.Reboot > 0 && !h.machine.Deployed() {
				t.Error("the host has no deployment")
			}

			// A second join changes nothing and uses no token.
			cfg2, id2 := joinConfig(t, c, "10.10.75.62", "10.10.75.72")
			res, _, err = runJoin(t, h, c, cfg2, nil)
			if err != nil || !res.AlreadyJoined {
				t.Fatalf("second join: %+v, %v; want already joined", res, err)
			}
			if !tokenExists(t, c.Client, id2) {
				t.Error("the second join revoked a token it did not use")
			}
		})
	}
}

func TestJoinRefusals(t *testing.T) {
	c := testcluster.Start(t, testcluster.K3s)
	tests := []struct {
		name    string
		machine hostsim.MachineOptions
		config  func(t *testing.T, cfg *aksedge.Config)
		wantErr string
		refusal bool // refused in preflight: the token must survive
		unused  bool // the config does not carry the minted token
	}{
		{name: "a K8s MSI on a K3s cluster", machine: hostsim.MachineOptions{Flavour: "k8s"},
			wantErr: "has the K8s MSI installed", refusal: true},
		{name: "two adapters and no --adapter", machine: hostsim.MachineOptions{Flavour: "k3s",
			Adapters: []hostsim.Adapter{{Name: "Ethernet", Status: "Up"}, {Name: "Ethernet 2", Status: "Up"}}},
			wantErr: `2 connected physical adapters ("Ethernet", "Ethernet 2")`, refusal: true},
		{name: "a token from another cluster", machine: hostsim.MachineOptions{Flavour: "k3s"},
			config: func(_ *testing.T, cfg *aksedge.Config) {
				pin, _, _ := strings.Cut(cfg.Join.ClusterJoinToken.Reveal(), "::")
				cfg.Join.ClusterJoinToken = aksedge.Secret(pin + "::zzzzzz.0123456789abcdef")
			},
			wantErr: "the host says: Joining the cluster failed: the cluster rejected the join token", unused: true},
		{name: "a taken IP", machine: hostsim.MachineOptions{Flavour: "k3s"},
			config:  func(_ *testing.T, cfg *aksedge.Config) { cfg.Machines[0].LinuxNode.Ip4Address = "10.10.75.51" },
			wantErr: "returned False"},
		{name: "a failing deployment", machine: hostsim.MachineOptions{Flavour: "k3s", FailDeployment: true},
			wantErr: "did not become ready"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.machine
			opts.Hostname, opts.Cluster, opts.HostFeatures = "aksee-worker03", c.Config, true
			h := startSim(t, opts)
			cfg, id := joinConfig(t, c, "10.10.75.63", "")
			if tc.config != nil {
				tc.config(t, cfg)
			}
			_, errOut, err := runJoin(t, h, c, cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("join error %v, want one containing %q", err, tc.wantErr)
			}
			if got := errors.Is(err, hostops.ErrRefused); got != tc.refusal {
				t.Errorf("errors.Is(err, ErrRefused) = %v, want %v", got, tc.refusal)
			}
			if tokenExists(t, c.Client, id) != (tc.refusal || tc.unused) {
				t.Errorf("token exists = %v after %q, want %v", !tc.refusal, tc.name, tc.refusal)
			}
			if _, ok := h.machine.File(hostops.RemoteConfig); ok {
				t.Error("the config was left on the host")
			}
			nodes, _ := c.Client.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
			for _, n := range nodes.Items {
				if strings.HasPrefix(n.Name, "aksee-worker03") {
					t.Errorf("node %s was registered", n.Name)
				}
			}
			if tc.name == "a failing deployment" && !strings.Contains(errOut, hostsim.LogsPath) {
				t.Errorf("the output does not say where Get-AksEdgeLogs put the logs:\n%s", errOut)
			}
		})
	}
}

func TestJoinInstallsTheMSIFirst(t *testing.T) {
	c := testcluster.Start(t, testcluster.K3s)
	msi := []byte("simulated AKS Edge Essentials K3s MSI")
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(msi)
	}))
	defer web.Close()
	for i, tc := range []struct {
		name   string
		change func(*hostops.Options)
	}{
		{"pushed with --msi", func(o *hostops.Options) {
			o.MSI, o.MSIName = bytes.NewReader(msi), "AksEdge-K3s-1.11.247.0.msi"
		}},
		{"downloaded with --msi-url", func(o *hostops.Options) { o.MSIURL = web.URL + "/AksEdge-K3s-1.11.247.0.msi" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := fmt.Sprintf("aksee-msi%d", i)
			h := startSim(t, hostsim.MachineOptions{Hostname: host, Cluster: c.Config})
			cfg, _ := joinConfig(t, c, fmt.Sprintf("10.10.75.%d", 80+i), "")
			if _, _, err := runJoin(t, h, c, cfg, tc.change); err != nil {
				t.Fatalf("join: %v", err)
			}
			if got := h.machine.Flavour(); got != "k3s" {
				t.Errorf("installed flavour %q, want k3s", got)
			}
			checkNode(t, c.Client, host+"-ledge", fmt.Sprintf("10.10.75.%d", 80+i), "linux")
			for _, f := range h.machine.Files() {
				if strings.HasSuffix(strings.ToLower(f), ".msi") {
					t.Errorf("the MSI was left on the host at %s", f)
				}
			}
		})
	}
}
