package plugin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/testcluster"
)

// writePrimaryConfig writes the primary's aksedge-config.json matching the seeded cluster.
func writePrimaryConfig(t testing.TB, c *testcluster.Cluster, vip string) string {
	t.Helper()
	plugin := aksedge.PluginOf(aksedge.Flavour(c.Primary.Flavour))
	doc := fmt.Sprintf(`{
  "SchemaVersion": "1.14", "Version": "1.0", "DeploymentType": "ScalableCluster",
  "Init": {"ServiceIPRangeStart": %q, "ServiceIPRangeSize": %d},
  "Network": {"ControlPlaneEndpointIp": %q, "NetworkPlugin": %q, "Ip4GatewayAddress": "10.10.75.1",
    "Ip4PrefixLength": 24, "DnsServers": ["8.8.8.8"]},
  "User": {"AcceptEula": true, "AcceptOptionalTelemetry": false},
  "Machines": [{"NetworkConnection": {"AdapterName": "Ethernet"},
    "LinuxNode": {"ControlPlane": true, "CpuCount": 4, "MemoryInMB": 8192, "DataSizeInGB": 20,
      "Ip4Address": %q}}]
}`, c.Primary.ServiceIPStart, c.Primary.ServiceIPSize, vip, plugin, c.Primary.NodeIP)
	path := filepath.Join(t.TempDir(), "aksedge-config.json")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	k3sTokenPattern = regexp.MustCompile(`^K10([0-9a-f]{64})::([a-z0-9]{6})\.([a-z0-9]{16})$`)
	k8sTokenPattern = regexp.MustCompile(`^([a-z0-9]{6})\.([a-z0-9]{16})$`)
)

func TestScaleConfigWritesJoinFile(t *testing.T) {
	for _, flavour := range []testcluster.Flavour{testcluster.K3s, testcluster.K8s} {
		t.Run(string(flavour), func(t *testing.T) {
			c := testcluster.Start(t, flavour)
			primary := writePrimaryConfig(t, c, c.Primary.VIP)
			out := filepath.Join(t.TempDir(), "worker02.json")
			start := time.Now()
			res := runAksee(t, "--kubeconfig", c.Kubeconfig, "-v=9", "scale-config", "--from", primary,
				"--linux-ip", "10.10.75.62", "--windows-ip", "10.10.75.72",
				"--machine-name", "aksee-worker02", "--ttl", "90m", "--out", out)
			if res.code != 0 {
				t.Fatalf("scale-config exited %d: %s", res.code, res.stderr)
			}
			assertPrivateFile(t, out)
			cfg, err := aksedge.Load(out, nil)
			if err != nil {
				t.Fatal(err)
			}
			id, secret := checkToken(t, c, cfg)
			for _, stream := range []string{res.stdout, res.stderr} {
				if strings.Contains(stream, secret) {
					t.Errorf("the token secret was printed at -v=9:\n%s", stream)
				}
			}
			if !strings.Contains(res.stderr, "round_trippers") {
				t.Errorf("-v=9 logged no API requests; the check above proves nothing:\n%s", res.stderr)
			}
			// client-go dumps bodies as hex from -v=8, which would split the secret over lines.
			if strings.Contains(res.stderr, `"Request Body"`) {
				t.Errorf("-v=9 logged request bodies, which hold the token Secret")
			}
			checkTokenSecret(t, c, id, secret, start.Add(90*time.Minute))
			wantID := clusterName(t, c)
			if cfg.Join.ClusterId != wantID {
				t.Errorf("Join.ClusterId = %q, want the ConfigMap's %q", cfg.Join.ClusterId, wantID)
			}
			if m := cfg.Machines[0]; m.LinuxNode.Ip4Address != "10.10.75.62" || m.WindowsNode.Ip4Address != "10.10.75.72" {
				t.Errorf("Machines[0] addresses = %s, %s", m.LinuxNode.Ip4Address, m.WindowsNode.Ip4Address)
			}
		})
	}
}

// checkToken checks the token's form for the flavour and its CA pin; it returns id and secret.
func checkToken(t *testing.T, c *testcluster.Cluster, cfg *aksedge.Config) (id, secret string) {
	t.Helper()
	token := cfg.Join.ClusterJoinToken.Reveal()
	if c.Primary.Flavour == testcluster.K3s {
		m := k3sTokenPattern.FindStringSubmatch(token)
		if m == nil {
			t.Fatalf("K3s token %q does not have the form K10<hash>::<id>.<secret>", redactTail(token))
		}
		sum := sha256.Sum256(c.Config.CAData)
		if want := hex.EncodeToString(sum[:]); m[1] != want {
			t.Errorf("K10 CA hash = %s, want sha256 of the CA bundle %s", m[1], want)
		}
		if cfg.Join.DiscoveryTokenHash != "" {
			t.Errorf("K3s file has DiscoveryTokenHash %q", cfg.Join.DiscoveryTokenHash)
		}
		return m[2], m[3]
	}
	m := k8sTokenPattern.FindStringSubmatch(token)
	if m == nil {
		t.Fatalf("K8s token %q does not have the form <id>.<secret>", redactTail(token))
	}
	if want := opensslSPKIHash(t, c.Config.CAData); cfg.Join.DiscoveryTokenHash != want {
		t.Errorf("DiscoveryTokenHash = %s, openssl says %s", cfg.Join.DiscoveryTokenHash, want)
	}
	return m[1], m[2]
}

func redactTail(s string) string {
	if len(s) > 12 {
		return s[:12] + "..."
	}
	return s
}

// opensslSPKIHash computes kubeadm's CA pin with openssl, independently of the plugin.
func opensslSPKIHash(t *testing.T, caPEM []byte) string {
	t.Helper()
	script := "openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER | openssl dgst -sha256 -hex"
	cmd := exec.Command("sh", "-c", script)
	cmd.Stdin = strings.NewReader(string(caPEM))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl: %v", err)
	}
	fields := strings.Fields(string(out))
	return "sha256:" + fields[len(fields)-1]
}

func checkTokenSecret(t *testing.T, c *testcluster.Cluster, id, secret string, wantExpiry time.Time) {
	t.Helper()
	secrets := c.Client.CoreV1().Secrets("kube-system")
	s, err := secrets.Get(context.Background(), "bootstrap-token-"+id, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the token's Secret: %v", err)
	}
	if s.Type != "bootstrap.kubernetes.io/token" {
		t.Errorf("Secret type = %q", s.Type)
	}
	group := "system:bootstrappers:kubeadm:default-node-token"
	if c.Primary.Flavour == testcluster.K3s {
		group = "system:bootstrappers:k3s:default-node-token"
	}
	want := map[string]string{
		"token-id": id, "token-secret": secret, "auth-extra-groups": group,
		"usage-bootstrap-authentication": "true", "usage-bootstrap-signing": "true",
	}
	for k, v := range want {
		if got := string(s.Data[k]); got != v {
			t.Errorf("Secret data %s = %q, want %q", k, redactTail(got), redactTail(v))
		}
	}
	exp, err := time.Parse(time.RFC3339, string(s.Data["expiration"]))
	if err != nil || exp.Sub(wantExpiry).Abs() > time.Minute {
		t.Errorf("expiration = %q, want about %s", s.Data["expiration"], wantExpiry.UTC().Format(time.RFC3339))
	}
}

func clusterName(t *testing.T, c *testcluster.Cluster) string {
	t.Helper()
	cm, err := c.Client.CoreV1().ConfigMaps("aksedge").Get(context.Background(), "aksedge", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cm.Data["clustername"]
}

func assertPrivateFile(t *testing.T, path string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("%s has mode %o, want 600", path, mode)
	}
}

func TestScaleConfigRefusalsLeaveNothingBehind(t *testing.T) {
	c := testcluster.Start(t, testcluster.K3s)
	ok := writePrimaryConfig(t, c, c.Primary.VIP)
	other := writePrimaryConfig(t, c, "10.10.75.40")
	tests := []struct {
		name       string
		kubeconfig func(t *testing.T) string
		setup      func(t *testing.T)
		args       []string
		want       string
	}{
		{
			name: "an address a node holds",
			args: []string{"--from", ok, "--linux-ip", c.Primary.NodeIP},
			want: "--linux-ip " + c.Primary.NodeIP + " is already used by node " + c.Primary.NodeName,
		},
		{
			name: "the VIP as a node address",
			args: []string{"--from", ok, "--linux-ip", c.Primary.VIP},
			want: "10.10.75.50 is the control-plane endpoint",
		},
		{
			name: "a primary config from another cluster",
			args: []string{"--from", other, "--linux-ip", "10.10.75.62"},
			want: "is not this cluster's control-plane endpoint 10.10.75.50",
		},
		{
			name:  "no aksedge ConfigMap and no --cluster-id",
			setup: func(t *testing.T) { deleteConfigMap(t, c) },
			args:  []string{"--from", ok, "--linux-ip", "10.10.75.62"},
			want:  "--cluster-id",
		},
		{
			name:       "a user who may not create Secrets",
			kubeconfig: func(t *testing.T) string { return readOnlyKubeconfig(t, c) },
			args:       []string{"--from", ok, "--linux-ip", "10.10.75.62"},
			want:       "may not create secrets in kube-system",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup(t)
			}
			kubeconfig := c.Kubeconfig
			if tc.kubeconfig != nil {
				kubeconfig = tc.kubeconfig(t)
			}
			out := filepath.Join(t.TempDir(), "worker.json")
			args := append([]string{"--kubeconfig", kubeconfig, "scale-config", "--out", out}, tc.args...)
			res := runAksee(t, args...)
			if res.code != ExitFailed || !strings.Contains(res.stderr, tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", res.code, res.stderr, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("the refused run left %s behind", out)
			}
			if n := countTokens(t, c); n != 0 {
				t.Errorf("the refused run left %d bootstrap token Secrets", n)
			}
		})
	}
}

// deleteConfigMap removes the aksedge ConfigMap until the (sub)test ends.
func deleteConfigMap(t *testing.T, c *testcluster.Cluster) {
	t.Helper()
	ctx := context.Background()
	configMaps := c.Client.CoreV1().ConfigMaps("aksedge")
	cm, err := configMaps.Get(ctx, "aksedge", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := configMaps.Delete(ctx, "aksedge", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cm.ResourceVersion = ""
		if _, err := configMaps.Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Errorf("restore the aksedge ConfigMap: %v", err)
		}
	})
}

func countTokens(t *testing.T, c *testcluster.Cluster) int {
	t.Helper()
	list, err := c.Client.CoreV1().Secrets("kube-system").List(context.Background(),
		metav1.ListOptions{FieldSelector: "type=bootstrap.kubernetes.io/token"})
	if err != nil {
		t.Fatal(err)
	}
	return len(list.Items)
}

// readOnlyKubeconfig makes a user who may read everything scale-config reads but not create
// Secrets, and returns a kubeconfig for it.
func readOnlyKubeconfig(t *testing.T, c *testcluster.Cluster) string {
	t.Helper()
	ctx := context.Background()
	rbac := c.Client.RbacV1()
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "aksee-test-reader"},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{"", "apps"},
			Resources: []string{"nodes", "services", "configmaps", "daemonsets", "secrets"},
			Verbs:     []string{"get", "list", "watch"},
		}},
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "aksee-test-reader"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: "User", Name: "aksee-reader", APIGroup: "rbac.authorization.k8s.io"}},
	}
	for _, create := range []func() error{
		func() error { _, err := rbac.ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); return err },
		func() error {
			_, err := rbac.ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{})
			return err
		},
	} {
		if err := create(); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_ = rbac.ClusterRoleBindings().Delete(ctx, binding.Name, metav1.DeleteOptions{})
		_ = rbac.ClusterRoles().Delete(ctx, role.Name, metav1.DeleteOptions{})
	})
	return writeKubeconfig(t, c.UserConfig(t, "aksee-reader"))
}

// writeKubeconfig writes a kubeconfig file for a REST config with certificate data.
func writeKubeconfig(t *testing.T, cfg *rest.Config) string {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["local"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["user"] = &clientcmdapi.AuthInfo{
		ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken,
	}
	kc.Contexts["local"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: "user"}
	kc.CurrentContext = "local"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTokenListAndRevoke(t *testing.T) {
	c := testcluster.Start(t, testcluster.K8s)
	primary := writePrimaryConfig(t, c, c.Primary.VIP)
	out := filepath.Join(t.TempDir(), "worker.json")
	res := runAksee(t, "--kubeconfig", c.Kubeconfig, "scale-config", "--from", primary,
		"--linux-ip", "10.10.75.62", "--machine-name", "aksee-worker02", "--out", out)
	if res.code != 0 {
		t.Fatalf("scale-config exited %d: %s", res.code, res.stderr)
	}
	cfg, err := aksedge.Load(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, secret, _ := strings.Cut(cfg.Join.ClusterJoinToken.Reveal(), ".")

	for _, args := range [][]string{{"token", "list"}, {"token", "list", "-o", "json"}} {
		res = runAksee(t, append([]string{"--kubeconfig", c.Kubeconfig}, args...)...)
		if res.code != 0 || !strings.Contains(res.stdout, id) || !strings.Contains(res.stdout, "aksee-worker02") {
			t.Errorf("%v: exit %d, stdout:\n%s\nwant the id %s and the machine", args, res.code, res.stdout, id)
		}
		if strings.Contains(res.stdout+res.stderr, secret) {
			t.Errorf("%v printed the token secret", args)
		}
	}
	res = runAksee(t, "--kubeconfig", c.Kubeconfig, "token", "revoke", id)
	if res.code != 0 || countTokens(t, c) != 0 {
		t.Fatalf("token revoke: exit %d, %d tokens left: %s", res.code, countTokens(t, c), res.stderr)
	}
	res = runAksee(t, "--kubeconfig", c.Kubeconfig, "token", "revoke", id)
	if res.code != ExitFailed || !strings.Contains(res.stderr, "no token with id") {
		t.Errorf("second revoke: exit %d, stderr %q; want exit 1 and not found", res.code, res.stderr)
	}
}

func TestScaleConfigFromFlagsFillsWhatTheClusterTells(t *testing.T) {
	c := testcluster.Start(t, testcluster.K3s)
	out := filepath.Join(t.TempDir(), "worker.json")
	res := runAksee(t, "--kubeconfig", c.Kubeconfig, "scale-config", "--gateway", "10.10.75.1",
		"--dns", "8.8.8.8", "--accept-eula", "--adapter", "Ethernet", "--linux-ip", "10.10.75.62", "--out", out)
	if res.code != 0 {
		t.Fatalf("scale-config exited %d: %s", res.code, res.stderr)
	}
	cfg, err := aksedge.Load(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Network.NetworkPlugin != "flannel" || cfg.Network.ControlPlaneEndpointIp != c.Primary.VIP {
		t.Errorf("Network = plugin %q, VIP %q; want flannel and %s from the cluster",
			cfg.Network.NetworkPlugin, cfg.Network.ControlPlaneEndpointIp, c.Primary.VIP)
	}
	if cfg.Machines[0].WindowsNode != nil {
		t.Errorf("a Linux-only scale config has a WindowsNode")
	}
}

func TestScaleConfigDryRunMintsNothing(t *testing.T) {
	c := testcluster.Start(t, testcluster.K8s)
	primary := writePrimaryConfig(t, c, c.Primary.VIP)
	out := filepath.Join(t.TempDir(), "worker.json")
	res := runAksee(t, "--kubeconfig", c.Kubeconfig, "scale-config", "--from", primary,
		"--linux-ip", "10.10.75.62", "--dry-run", "--out", out)
	if res.code != 0 {
		t.Fatalf("scale-config --dry-run exited %d: %s", res.code, res.stderr)
	}
	if n := countTokens(t, c); n != 0 {
		t.Errorf("--dry-run minted %d tokens", n)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("--dry-run wrote %s", out)
	}
	if !strings.Contains(res.stdout, `"ClusterJoinToken": "<redacted>"`) {
		t.Errorf("the plan does not show the redacted token:\n%s", res.stdout)
	}
}
