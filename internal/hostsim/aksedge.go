package hostsim

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Messages of the simulated AksEdge module. Where AKS EE's own wording is documented it is
// used; the rest is inferred.
const (
	msgNetworkOK     = "Network parameter validation terminated successfully"
	msgNetworkFailed = "Network parameter validation terminated with above errors"
	// SwitchName is the external switch New-AksEdgeDeployment creates.
	SwitchName = "aksedgesw-ext"
	// LogsPath is where Get-AksEdgeLogs leaves its archive (inferred).
	LogsPath = `C:\ProgramData\AksEdge\logs\aksedge-logs.zip`
)

// aksedgeCmdlets are the AksEdge module's cmdlets; they exist only while an MSI is installed.
var aksedgeCmdlets map[string]cmdlet

func init() {
	aksedgeCmdlets = map[string]cmdlet{
		"test-aksedgedeployment":        testAksEdgeDeployment,
		"install-aksedgehostfeatures":   installAksEdgeHostFeatures,
		"test-aksedgenetworkparameters": testAksEdgeNetworkParameters,
		"new-aksedgedeployment":         newAksEdgeDeployment,
		"get-aksedgelogs":               getAksEdgeLogs,
	}
}

func testAksEdgeDeployment(s *session, _ *call) ([]any, error) {
	return []any{s.m.Deployed()}, nil
}

func installAksEdgeHostFeatures(s *session, _ *call) ([]any, error) {
	s.m.mu.Lock()
	already := s.m.hostFeatures
	s.m.hostFeatures = true
	s.m.mu.Unlock()
	if already {
		return []any{true}, nil
	}
	for _, f := range []string{"Microsoft-Hyper-V", "Microsoft-Hyper-V-Management-PowerShell",
		"OpenSSH.Client"} {
		s.writeHost("Enabling feature " + f)
	}
	if d := s.m.opts.Reboot; d > 0 {
		s.writeHost("The machine restarts to finish enabling Hyper-V")
		// The restart begins while the cmdlet's output is still on its way, as it does when
		// the cmdlet restarts the computer itself: the client loses the command.
		go s.m.restart(d)
	}
	return []any{true}, nil
}

// loadDeployConfig reads -JsonConfigFilePath (or -JsonConfigString).
func (s *session) loadDeployConfig(c *call) (*deployConfig, error) {
	data := []byte(c.str(-1, "jsonconfigstring"))
	if path := c.str(-1, "jsonconfigfilepath"); path != "" {
		var ok bool
		if data, ok = s.m.readFile(path); !ok {
			return nil, throwf("Cannot find path '%s' because it does not exist.", path)
		}
	}
	cfg, err := parseDeployConfig(data)
	if err != nil {
		return nil, throwf("%v", err)
	}
	return cfg, nil
}

// networkErrors runs the network checks and prints them as AKS EE does.
func (s *session) networkErrors(cfg *deployConfig) ([]string, error) {
	taken, err := s.m.takenIPs(s.ctx)
	if err != nil {
		return nil, throwf("%v", err)
	}
	check := s.m.checkNetwork(cfg, taken)
	for _, e := range check.errors {
		s.writeHost("ERROR: " + e)
	}
	s.writeHost(fmt.Sprintf("*** %d errors found in the deployment configuration.", len(check.errors)))
	return check.errors, nil
}

func testAksEdgeNetworkParameters(s *session, c *call) ([]any, error) {
	cfg, err := s.loadDeployConfig(c)
	if err != nil {
		return nil, err
	}
	errs, err := s.networkErrors(cfg)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		s.writeHost(msgNetworkFailed)
		return []any{false}, nil
	}
	s.writeHost(msgNetworkOK)
	return []any{true}, nil
}

func getAksEdgeLogs(s *session, _ *call) ([]any, error) {
	if err := s.m.mkdirAll(`C:\ProgramData\AksEdge\logs`); err != nil {
		return nil, err
	}
	if err := s.m.writeFile(LogsPath, []byte("PK simulated log archive")); err != nil {
		return nil, err
	}
	return []any{"Logs are collected in " + LogsPath}, nil
}

func newAksEdgeDeployment(s *session, c *call) ([]any, error) {
	cfg, err := s.loadDeployConfig(c)
	if err != nil {
		return nil, err
	}
	if err := s.preDeployChecks(cfg); err != nil {
		return nil, err
	}
	if err := s.deploy(cfg); err != nil {
		return nil, err
	}
	return []any{"OK"}, nil
}

func (s *session) preDeployChecks(cfg *deployConfig) error {
	if s.m.Deployed() {
		return throwf("A deployment already exists on this machine. Remove it with Remove-AksEdgeDeployment first.")
	}
	s.m.mu.Lock()
	features := s.m.hostFeatures
	s.m.mu.Unlock()
	if !features {
		return throwf("Hyper-V is not enabled on this machine. Run Install-AksEdgeHostFeatures first.")
	}
	errs, err := s.networkErrors(cfg)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return throwf("%s", msgNetworkFailed)
	}
	s.writeHost("Validating the join token with the cluster")
	if err := s.m.verifyJoin(s.ctx, cfg); err != nil {
		return throwf("Joining the cluster failed: %v", err)
	}
	return nil
}

// deploy is the long part: the switch, the VMs, the nodes.
func (s *session) deploy(cfg *deployConfig) error {
	adapter := cfg.str("Machines.0.NetworkConnection.AdapterName")
	s.writeHost(fmt.Sprintf("Creating external switch %s on adapter '%s'", SwitchName, adapter))
	s.m.dropNetwork(s.m.opts.SwitchDrop)
	linux, windows := s.m.NodeNames()
	s.writeHost("Creating Linux VM " + linux)
	if !sleepCtx(s.ctx, s.m.opts.DeployDelay) {
		return throwf("The deployment was cancelled")
	}
	if s.m.opts.FailDeployment {
		s.writeHost("Waiting for the Linux node to be ready")
		return throwf("Linux node %s did not become ready within %s seconds", linux,
			orDefault(cfg.str("Machines.0.LinuxNode.TimeoutSeconds"), "300"))
	}
	if err := s.m.registerNode(s.ctx, linux, "linux", cfg.str("Machines.0.LinuxNode.Ip4Address")); err != nil {
		return throwf("Registering node %s failed: %v", linux, err)
	}
	s.writeHost("Linux node " + linux + " joined the cluster")
	if cfg.hasWindowsNode() {
		s.writeHost("Creating Windows VM " + windows)
		ip := cfg.str("Machines.0.WindowsNode.Ip4Address")
		if err := s.m.registerNode(s.ctx, windows, "windows", ip); err != nil {
			return throwf("Registering node %s failed: %v", windows, err)
		}
		s.writeHost("Windows node " + windows + " joined the cluster")
	}
	s.m.mu.Lock()
	s.m.deployed = true
	s.m.mu.Unlock()
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// registerNode creates the Node a new AKS EE VM's kubelet would register, handed to kwok
// (annotation kwok.x-k8s.io/node) so that it turns Ready.
func (m *Machine) registerNode(ctx context.Context, name, os, ip string) error {
	c, err := m.clusterClient()
	if err != nil {
		return err
	}
	info, err := controlPlaneInfo(ctx, c)
	if err != nil {
		return err
	}
	node := nodeObject(name, os, ip, info)
	if _, err := c.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create node: %w", err)
	}
	return nil
}

// nodeObject is the Node a new VM registers: the control plane's versions (same AKS EE
// release), the VM's own OS.
func nodeObject(name, os, ip string, cp corev1.NodeSystemInfo) *corev1.Node {
	info := corev1.NodeSystemInfo{
		KubeletVersion: cp.KubeletVersion, OperatingSystem: os, Architecture: "amd64",
		OSImage: cp.OSImage, KernelVersion: cp.KernelVersion, ContainerRuntimeVersion: cp.ContainerRuntimeVersion,
	}
	if os == "windows" {
		info.OSImage, info.KernelVersion = "Windows Server 2022 Datacenter", "10.0.20348.2700"
		info.ContainerRuntimeVersion = "containerd://1.7.20"
	}
	labels := map[string]string{
		"kubernetes.io/os": os, "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name,
		"beta.kubernetes.io/os": os, "beta.kubernetes.io/arch": "amd64",
	}
	if os == "windows" {
		labels["node.kubernetes.io/windows-build"] = "10.0.20348"
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Labels: labels,
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
		},
		Status: corev1.NodeStatus{
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: ip}, {Type: corev1.NodeHostName, Address: name},
			},
			NodeInfo: info,
		},
	}
}

// controlPlaneInfo is the system info of a control-plane node, whose versions a joining node
// of the same AKS EE release shares.
func controlPlaneInfo(ctx context.Context, c kubernetes.Interface) (corev1.NodeSystemInfo, error) {
	nodes, err := c.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return corev1.NodeSystemInfo{}, fmt.Errorf("list nodes: %w", err)
	}
	for _, n := range nodes.Items {
		for l := range n.Labels {
			if strings.HasPrefix(l, "node-role.kubernetes.io/control-plane") ||
				strings.HasPrefix(l, "node-role.kubernetes.io/master") {
				return n.Status.NodeInfo, nil
			}
		}
	}
	if len(nodes.Items) > 0 {
		return nodes.Items[0].Status.NodeInfo, nil
	}
	return corev1.NodeSystemInfo{}, fmt.Errorf("the cluster has no nodes")
}
