// Package hostsim simulates a Windows machine with AKS Edge Essentials installed, reachable
// over WinRM on 127.0.0.1, for tests, benchmarks and the demo. The transport (server*.go)
// speaks WS-Management; the Machine (machine*.go, powershell*.go, aksedge*.go) runs the
// PowerShell it receives with a small interpreter and simulated AksEdge cmdlets that check
// join secrets against a real API server and register the new nodes there.
package hostsim

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"
)

// Adapter is a network adapter of the simulated host.
type Adapter struct {
	Name   string
	Status string // "Up" or "Disconnected"
}

// MachineOptions describes the simulated host and its fault switches.
type MachineOptions struct {
	// Hostname is the host's name; its nodes are <hostname>-ledge and -wedge, lower-cased.
	Hostname string
	// Username is the account WinRM commands run as.
	Username string
	// Cluster is the admin config of the API server the host joins.
	Cluster *rest.Config
	// Flavour is the installed AksEdge MSI: "k3s", "k8s", or "" for none.
	Flavour string
	// HostFeatures tells whether Install-AksEdgeHostFeatures has already run.
	HostFeatures bool
	// Adapters are the physical network adapters; one "Ethernet" when empty.
	Adapters []Adapter
	// FreeDiskGB, FreeMemoryMB and LogicalProcessors size the host.
	FreeDiskGB, FreeMemoryMB, LogicalProcessors int
	// NotElevated makes WinRM sessions run without administrator rights.
	NotElevated bool

	// DeployDelay is how long New-AksEdgeDeployment takes before it registers the nodes.
	DeployDelay time.Duration
	// SwitchDrop drops every connection for this long when the external switch is created.
	SwitchDrop time.Duration
	// Reboot refuses connections for this long after Install-AksEdgeHostFeatures.
	Reboot time.Duration
	// FailDeployment makes New-AksEdgeDeployment fail after writing part of its transcript.
	FailDeployment bool
}

// Machine is the simulated host. It is safe for concurrent use: WinRM shells and the
// background deployment task run at the same time.
type Machine struct {
	opts MachineOptions

	mu           sync.Mutex
	files        map[string]*fileEntry
	flavour      string
	hostFeatures bool
	tasks        map[string]*scheduledTask
	deployed     bool
	outage       func(time.Duration)
	reboot       func(time.Duration)
	bg           sync.WaitGroup
	bgCtx        context.Context
	bgCancel     context.CancelFunc
}

// NewMachine returns a simulated host with the given options, defaults filled in.
func NewMachine(opts MachineOptions) *Machine {
	if opts.Hostname == "" {
		opts.Hostname = "aksee-worker02"
	}
	if opts.Username == "" {
		opts.Username = "Administrator"
	}
	if len(opts.Adapters) == 0 {
		opts.Adapters = []Adapter{{Name: "Ethernet", Status: "Up"}}
	}
	opts.FreeDiskGB = defaultInt(opts.FreeDiskGB, 200)
	opts.FreeMemoryMB = defaultInt(opts.FreeMemoryMB, 32768)
	opts.LogicalProcessors = defaultInt(opts.LogicalProcessors, 8)
	m := &Machine{
		opts: opts, files: map[string]*fileEntry{}, flavour: strings.ToLower(opts.Flavour),
		hostFeatures: opts.HostFeatures, tasks: map[string]*scheduledTask{},
	}
	m.bgCtx, m.bgCancel = context.WithCancel(context.Background())
	return m
}

func defaultInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// SetOutage sets what the machine calls to drop the network for a while: the WinRM server's
// Outage. Without it the switch creation and the reboot drop nothing.
func (m *Machine) SetOutage(f func(time.Duration)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.outage = f
}

// Attach connects the machine to the WinRM server that serves it: the switch creation drops
// the server's connections, and a reboot ends its shells too.
func (m *Machine) Attach(s *Server) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.outage, m.reboot = s.Outage, s.Reboot
}

func (m *Machine) restart(d time.Duration) {
	m.mu.Lock()
	f := m.reboot
	m.mu.Unlock()
	if f != nil && d > 0 {
		f(d)
	}
}

func (m *Machine) dropNetwork(d time.Duration) {
	m.mu.Lock()
	f := m.outage
	m.mu.Unlock()
	if f != nil && d > 0 {
		f(d)
	}
}

// Close stops the background deployment, if one runs, and waits for it.
func (m *Machine) Close() error {
	m.bgCancel()
	m.bg.Wait()
	return nil
}

// Wait waits for background tasks (the detached deployment) to finish.
func (m *Machine) Wait() { m.bg.Wait() }

// RunScript runs a PowerShell script as powershell.exe would and returns its exit code.
// A script the interpreter cannot parse fails like a PowerShell parse error, with exit code 1.
func (m *Machine) RunScript(ctx context.Context, script string, stdin io.Reader,
	stdout, stderr io.Writer) int {
	stmts, err := parseScript(script)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "%v\r\n", err)
		return 1
	}
	return newSession(ctx, m, stdin, stdout, stderr).run(stmts)
}

func (m *Machine) computerName() string {
	return strings.ToUpper(m.opts.Hostname)
}

// NodeNames returns the names AKS EE gives this host's Linux and Windows nodes.
func (m *Machine) NodeNames() (linux, windows string) {
	h := strings.ToLower(m.opts.Hostname)
	return h + "-ledge", h + "-wedge"
}

func (m *Machine) environment() map[string]string {
	return map[string]string{
		"computername": m.computerName(), "username": m.opts.Username,
		"programdata": `C:\ProgramData`, "temp": `C:\Windows\Temp`, "tmp": `C:\Windows\Temp`,
		"systemroot": `C:\Windows`, "processor_architecture": "AMD64",
	}
}

// Flavour returns the installed AksEdge MSI flavour, "" when none is installed.
func (m *Machine) Flavour() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.flavour
}

// Deployed reports whether New-AksEdgeDeployment has completed on the host.
func (m *Machine) Deployed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.deployed
}
