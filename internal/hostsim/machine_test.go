package hostsim

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-aksee/kubectl-aksee/internal/hostops"
)

// TestEveryHostScriptIsUnderstood runs every script join can send on a simulated host and
// fails on anything the interpreter does not know: a parse error, an unknown command, type or
// method.
func TestEveryHostScriptIsUnderstood(t *testing.T) {
	notUnderstood := []string{"At line:", "is not recognized", "Unable to find type",
		"Method invocation failed", "Cannot find type", "only -File and -EncodedCommand"}
	for name, script := range hostops.AllScripts() {
		t.Run(name, func(t *testing.T) {
			m := NewMachine(MachineOptions{Flavour: "k3s"})
			defer func() { _ = m.Close() }()
			prepareHost(t, m)
			out, errOut, code := runPS(t, m, script)
			for _, bad := range notUnderstood {
				if strings.Contains(errOut, bad) || strings.Contains(out, bad) {
					t.Fatalf("the simulated host did not understand %s (exit %d):\n%s%s", name, code, out, errOut)
				}
			}
		})
	}
}

func prepareHost(t *testing.T, m *Machine) {
	t.Helper()
	if err := m.mkdirAll(hostops.RemoteDir); err != nil {
		t.Fatal(err)
	}
	for path, data := range map[string]string{
		hostops.RemoteConfig:                              `{"DeploymentType":"ScalableCluster"}`,
		hostops.RemoteRunner:                              "'runner'",
		hostops.RemoteDir + `\AksEdge-K3s-1.11.247.0.msi`: "msi",
	} {
		if err := m.writeFile(path, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPreflightReportsTheHost(t *testing.T) {
	m := NewMachine(MachineOptions{Hostname: "Worker2", Flavour: "k8s", NotElevated: true,
		Adapters:   []Adapter{{Name: "Ethernet", Status: "Up"}, {Name: "Wi-Fi", Status: "Disconnected"}},
		FreeDiskGB: 50, FreeMemoryMB: 16384, LogicalProcessors: 4})
	out, errOut, code := runPS(t, m, hostops.AllScripts()["preflight.ps1"])
	if code != 0 {
		t.Fatalf("preflight exited %d: %s", code, errOut)
	}
	want := `Is64BitProcess=True
Elevated=False
ComputerName=WORKER2
Product=AKS Edge Essentials - K8s
Module=True
Deployed=False
HostFeatures=False
DeployTask=
Adapter=Up,Ethernet
Adapter=Disconnected,Wi-Fi
FreeDiskGB=50
FreeMemoryMB=16384
LogicalProcessors=4
`
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("preflight output (-want +got):\n%s", diff)
	}
}

func TestDeployRunnerRunsDetached(t *testing.T) {
	m := NewMachine(MachineOptions{Flavour: "k3s"})
	defer func() { _ = m.Close() }()
	prepareHost(t, m)
	scripts := hostops.AllScripts()
	if err := m.writeFile(hostops.RemoteRunner, []byte(scripts["deploy-runner.ps1"])); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runPS(t, m, scripts["start-deploy.ps1"])
	if code != 0 {
		t.Fatalf("start-deploy exited %d: %s%s", code, out, errOut)
	}
	m.Wait()
	// Without host features the deployment fails; the runner must record that.
	result, _ := m.File(hostops.RemoteResult)
	if got := strings.TrimSpace(string(result)); got != "FAILED" {
		t.Errorf("result file = %q, want FAILED", got)
	}
	log, _ := m.File(hostops.RemoteLog)
	if !strings.Contains(string(log), "Hyper-V is not enabled") {
		t.Errorf("transcript lacks the failure:\n%s", log)
	}
	out, _, _ = runPS(t, m, scripts["tail.ps1"])
	if !strings.Contains(out, "##aksee:task=Ready") || !strings.Contains(out, "##aksee:result=FAILED") {
		t.Errorf("tail output lacks the task state or result:\n%s", out)
	}
}
