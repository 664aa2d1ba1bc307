package hostops

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
)

// facts is what the preflight script reports about the host.
type facts struct {
	is64, elevated, module, deployed, hostFeatures bool
	computerName, product, deployTask              string
	adaptersUp, adaptersDown                       []string
	freeDiskGB, freeMemoryMB, processors           int
}

// parseFacts reads the Name=Value lines of the preflight script.
func parseFacts(out string) (*facts, error) {
	f := &facts{}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n") {
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		seen[key] = true
		f.set(key, value)
	}
	for _, k := range []string{"Is64BitProcess", "Elevated", "ComputerName", "Deployed", "LogicalProcessors"} {
		if !seen[k] {
			return nil, fmt.Errorf("the preflight script did not report %s", k)
		}
	}
	return f, nil
}

func (f *facts) set(key, value string) {
	isTrue := strings.EqualFold(value, "True")
	n, _ := strconv.Atoi(value)
	switch key {
	case "Is64BitProcess":
		f.is64 = isTrue
	case "Elevated":
		f.elevated = isTrue
	case "ComputerName":
		f.computerName = value
	case "Product":
		f.product = value
	case "Module":
		f.module = isTrue
	case "Deployed":
		f.deployed = isTrue
	case "HostFeatures":
		f.hostFeatures = isTrue
	case "DeployTask":
		f.deployTask = value
	case "Adapter":
		status, name, _ := strings.Cut(value, ",")
		if status == "Up" {
			f.adaptersUp = append(f.adaptersUp, name)
		} else {
			f.adaptersDown = append(f.adaptersDown, name+" ("+status+")")
		}
	case "FreeDiskGB":
		f.freeDiskGB = n
	case "FreeMemoryMB":
		f.freeMemoryMB = n
	case "LogicalProcessors":
		f.processors = n
	}
}

// flavourOf finds K3s or K8s in an MSI file name or a product name; "" when neither is there.
func flavourOf(name string) cluster.Flavour {
	lower := strings.ToLower(name)
	switch {
	case strings.Contains(lower, "k3s"):
		return cluster.K3s
	case strings.Contains(lower, "k8s"):
		return cluster.K8s
	}
	return ""
}

func (p *procedure) planPreflight() []string {
	return []string{
		"check a 64-bit, elevated PowerShell; read the hostname (node names <hostname>-ledge/-wedge)",
		fmt.Sprintf("check the AksEdge module is installed and is %s, like the cluster", p.flavourName()),
		"check Test-AksEdgeDeployment: a host that already joined is reported and left alone",
		"list the physical adapters that are up: " + p.adapterPlan(),
		fmt.Sprintf("check free disk (%d GB), memory (%d MB) and logical processors (%d)",
			p.needDiskGB(), p.needMemoryMB(), p.needProcessors()),
	}
}

func (p *procedure) adapterPlan() string {
	if p.o.Adapter != "" {
		return fmt.Sprintf("%q (--adapter) must be one of them", p.o.Adapter)
	}
	return "exactly one, or refuse and list them (choose with --adapter)"
}

func (p *procedure) flavourName() string {
	return flavourTitle(p.o.Flavour)
}

// flavourTitle spells a flavour as AKS EE does: K3s, K8s.
func flavourTitle(f cluster.Flavour) string {
	if f == "" {
		return "unknown"
	}
	return strings.ToUpper(string(f[:1])) + string(f[1:])
}

func (p *procedure) preflight(ctx context.Context) error {
	out, err := p.capture(ctx, "preflight.ps1", defaultScriptData())
	if err != nil {
		return err
	}
	if p.facts, err = parseFacts(out); err != nil {
		return err
	}
	f := p.facts
	host := strings.ToLower(f.computerName)
	p.linux, p.windows = host+"-ledge", host+"-wedge"
	if err := p.checkShell(); err != nil {
		return err
	}
	if f.deployed {
		return p.checkJoined(ctx)
	}
	if f.deployTask == "Running" {
		p.resume = true
		p.progress("a deployment is already running on the host; waiting for it")
		return nil
	}
	if err := p.checkModule(); err != nil {
		return err
	}
	if err := p.chooseAdapter(); err != nil {
		return err
	}
	return p.checkCapacity()
}

func refusef(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrRefused}, args...)...)
}

func (p *procedure) checkShell() error {
	switch {
	case !p.facts.is64:
		return refusef("the WinRM session on %s runs 32-bit PowerShell; AKS EE needs 64-bit", p.o.HostName)
	case !p.facts.elevated:
		return refusef("the WinRM session on %s is not elevated; connect as a member of Administrators",
			p.o.HostName)
	}
	return nil
}

// checkJoined handles a host that already has a deployment: joined to this cluster is
// success with nothing to do; anything else is refused.
func (p *procedure) checkJoined(ctx context.Context) error {
	node, err := p.o.Client.CoreV1().Nodes().Get(ctx, p.linux, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return refusef("%s already has an AKS EE deployment, but node %s is not in this cluster; "+
			"remove that deployment first (Remove-AksEdgeDeployment)", p.o.HostName, p.linux)
	}
	if err != nil {
		return fmt.Errorf("get node %s: %w", p.linux, err)
	}
	p.progress("already joined (node %s exists); nothing to do", node.Name)
	p.result.AlreadyJoined = true
	p.result.Nodes = p.currentNodes(ctx)
	p.done = true
	return nil
}

func (p *procedure) checkModule() error {
	if name := p.msiName(); name != "" {
		if f := flavourOf(name); f != "" && f != p.o.Flavour {
			return refusef("the MSI %s is %s but the cluster is %s", name, flavourTitle(f),
				p.flavourName())
		}
	}
	if !p.facts.module {
		if p.msiName() == "" {
			return refusef("the AksEdge module is not installed on %s; pass --msi FILE or --msi-url URL "+
				"with the %s MSI", p.o.HostName, p.flavourName())
		}
		return nil
	}
	if f := flavourOf(p.facts.product); f != "" && f != p.o.Flavour {
		return refusef("%s has the %s MSI installed (%q) but the cluster is %s; install the %s MSI",
			p.o.HostName, flavourTitle(f), p.facts.product, p.flavourName(), p.flavourName())
	}
	return nil
}

func (p *procedure) msiName() string {
	if p.o.MSIName != "" {
		return p.o.MSIName
	}
	if p.o.MSIURL != "" {
		return path.Base(p.o.MSIURL)
	}
	return ""
}

func (p *procedure) chooseAdapter() error {
	up := p.facts.adaptersUp
	switch {
	case p.o.Adapter != "" && slices.ContainsFunc(up, func(a string) bool { return strings.EqualFold(a, p.o.Adapter) }):
		p.adapter = p.o.Adapter
	case p.o.Adapter != "":
		return refusef("--adapter %q is not a connected physical adapter on %s; connected: %s",
			p.o.Adapter, p.o.HostName, listOrNone(up))
	case len(up) == 1:
		p.adapter = up[0]
		p.progress("using adapter %q", p.adapter)
	case len(up) == 0:
		return refusef("%s has no connected physical adapter (found: %s)", p.o.HostName,
			listOrNone(p.facts.adaptersDown))
	default:
		return refusef("%s has %d connected physical adapters (%s); choose one with --adapter",
			p.o.HostName, len(up), listOrNone(up))
	}
	return nil
}

func listOrNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	quoted := make([]string, len(items))
	for i, it := range items {
		quoted[i] = strconv.Quote(it)
	}
	return strings.Join(quoted, ", ")
}

func (p *procedure) checkCapacity() error {
	f := p.facts
	var short []string
	if need := p.needDiskGB(); f.freeDiskGB < need {
		short = append(short, fmt.Sprintf("free disk %d GB < %d GB", f.freeDiskGB, need))
	}
	if need := p.needMemoryMB(); f.freeMemoryMB < need {
		short = append(short, fmt.Sprintf("free memory %d MB < %d MB", f.freeMemoryMB, need))
	}
	if need := p.needProcessors(); f.processors < need {
		short = append(short, fmt.Sprintf("logical processors %d < %d", f.processors, need))
	}
	if len(short) > 0 {
		return refusef("%s is too small for the nodes in the config: %s", p.o.HostName, strings.Join(short, "; "))
	}
	return nil
}
