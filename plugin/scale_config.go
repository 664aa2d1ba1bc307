package plugin

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
	"github.com/kubectl-aksee/kubectl-aksee/internal/scaleout"
)

const scaleConfigLong = `Write the scale-out file that New-AksEdgeScaleConfig -ScaleType AddMachine writes, from
wherever your kubeconfig works: no shell on the control-plane machine is needed.

The cluster id is read from the cluster, a bootstrap token is minted for the new machine
(short-lived, revocable, one per machine) and the CA pin is computed from the cluster CA. The
network section is taken unchanged from the primary's aksedge-config.json (--from) or built
from the network flags. Before anything is minted, the file is validated as "config validate"
does and the new addresses are checked against the live cluster: nodes' addresses, the
control-plane endpoint and the LoadBalancer range.

The join token is written only to --out (mode 0600) and printed only with --show-secrets.

Exit codes: 0 written, 1 refused or failed (nothing is left behind), 2 usage error,
3 the cluster could not be reached.`

const scaleConfigExample = `  # Add the article's second worker, Linux and Windows nodes, from the primary's config
  kubectl aksee scale-config --from aksedge-config.json --linux-ip 10.10.75.62 \
    --windows-ip 10.10.75.72 --machine-name aksee-worker02 --out worker02.json

  # See what would be written, minting nothing
  kubectl aksee scale-config --from aksedge-config.json --linux-ip 10.10.75.62 --dry-run

  # Without the primary's file, give the network yourself
  kubectl aksee scale-config --linux-ip 10.10.75.62 --control-plane-ip 10.10.75.50 \
    --gateway 10.10.75.1 --dns 8.8.8.8 --adapter Ethernet --out worker02.json`

// ScaleConfigOptions holds the flags of "kubectl aksee scale-config".
type ScaleConfigOptions struct {
	LinuxIP      string
	WindowsIP    string
	NodeType     string
	ControlPlane bool
	Adapter      string
	MachineName  string
	From         string
	ClusterID    string
	TTL          time.Duration
	OutFile      string
	Output       string
	ShowSecrets  bool
	DryRun       bool
	Network      networkFlags

	request scaleout.Request
	flags   *genericclioptions.ConfigFlags
	kube    kubeClients
	genericiooptions.IOStreams
}

func newCmdScaleConfig(flags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &ScaleConfigOptions{flags: flags, IOStreams: streams}
	cmd := &cobra.Command{
		Use:     "scale-config",
		Short:   "Write the scale-out JSON for a new machine, with a fresh join token",
		Long:    scaleConfigLong,
		Example: scaleConfigExample,
		Args:    requireNoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			if err := o.Complete(); err != nil {
				return err
			}
			return classifyAPIError(o.Run(cmd.Context()))
		},
	}
	o.AddFlags(cmd)
	return cmd
}

// AddFlags registers the flags of scale-config.
func (o *ScaleConfigOptions) AddFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.LinuxIP, "linux-ip", "", "IPv4 address of the new machine's Linux node (-LinuxNodeIp).")
	f.StringVar(&o.WindowsIP, "windows-ip", "", "IPv4 address of the new machine's Windows node (-WindowsNodeIp).")
	f.StringVar(&o.NodeType, "node-type", "",
		"Nodes of the new machine: Linux, Windows or LinuxAndWindows. Inferred from the addresses given when empty.")
	f.BoolVar(&o.ControlPlane, "control-plane", false,
		"If true, the Linux node joins as a control plane (K8s clusters only).")
	f.StringVar(&o.Adapter, "adapter", "", "Physical network adapter on the new machine. Defaults to the primary's.")
	f.StringVar(&o.MachineName, "machine-name", "", "Name of the new machine, for the token description.")
	f.StringVar(&o.From, "from", "", "The primary machine's aksedge-config.json, or - for stdin.")
	f.StringVar(&o.ClusterID, "cluster-id", "", "Cluster id to use instead of the one stored in the cluster.")
	f.DurationVar(&o.TTL, "ttl", 2*time.Hour, "How long the join token stays valid.")
	f.StringVar(&o.OutFile, "out", "", "File to write, with the join token, readable by its owner only.")
	f.StringVarP(&o.Output, "output", "o", "", "Print the scale config as: json|yaml.")
	f.BoolVar(&o.ShowSecrets, "show-secrets", false, "If true, print the join token instead of <redacted>.")
	f.BoolVar(&o.DryRun, "dry-run", false, "If true, check and print the plan without minting a token or writing.")
	o.Network.AddFlags(f)
}

// Validate checks the flags without doing any I/O.
func (o *ScaleConfigOptions) Validate() error {
	if err := validateOutput(o.Output, outputJSON, outputYAML); err != nil {
		return err
	}
	linux, err := optionalIPv4("--linux-ip", o.LinuxIP)
	if err != nil {
		return err
	}
	windows, err := optionalIPv4("--windows-ip", o.WindowsIP)
	if err != nil {
		return err
	}
	nodeType := scaleout.InferNodeType(linux.IsValid(), windows.IsValid())
	if o.NodeType != "" {
		if nodeType, err = aksedge.ParseNodeType(o.NodeType); err != nil {
			return usageErrorf("--node-type %q is not one of Linux, Windows, LinuxAndWindows", o.NodeType)
		}
	}
	if err := requireNodeIPs(nodeType, linux, windows); err != nil {
		return err
	}
	if o.ControlPlane && nodeType == aksedge.NodeWindows {
		return usageErrorf("--control-plane needs a Linux node; use --node-type Linux or LinuxAndWindows")
	}
	if o.TTL < time.Minute || o.TTL > 24*time.Hour {
		return usageErrorf("--ttl %s is outside 1m to 24h; AKS EE's own tokens last 24h at most", o.TTL)
	}
	if o.OutFile == "" && !o.ShowSecrets && !o.DryRun {
		return usageErrorf("the join token would be lost: give --out FILE to write it, " +
			"--show-secrets to print it, or --dry-run to only plan")
	}
	if o.From == "" {
		if err := o.validateNetwork(); err != nil {
			return err
		}
	}
	o.request = scaleout.Request{
		NodeType: nodeType, LinuxIP: linux, WindowsIP: windows, ControlPlane: o.ControlPlane,
		Adapter: o.Adapter, Machine: o.MachineName, ClusterID: o.ClusterID, TTL: o.TTL,
	}
	return nil
}

func requireNodeIPs(t aksedge.NodeType, linux, windows netip.Addr) error {
	if t != aksedge.NodeWindows && !linux.IsValid() {
		return usageErrorf("--linux-ip is required for node type %s", t)
	}
	if t != aksedge.NodeLinux && !windows.IsValid() {
		return usageErrorf("--windows-ip is required for node type %s", t)
	}
	return nil
}

// optionalIPv4 parses an IPv4 flag value; "" gives the zero Addr.
func optionalIPv4(flag, value string) (netip.Addr, error) {
	if value == "" {
		return netip.Addr{}, nil
	}
	addr, err := netip.ParseAddr(value)
	if err != nil || !addr.Is4() {
		return netip.Addr{}, usageErrorf("%s %s is not an IPv4 address", flag, value)
	}
	return addr, nil
}

// Complete loads the primary's config and builds the Kubernetes clients.
func (o *ScaleConfigOptions) Complete() error {
	var err error
	if o.From == "" {
		o.request.Primary, err = o.primaryFromFlags()
	} else if o.request.Primary, err = aksedge.Load(o.From, o.In); err != nil {
		err = fmt.Errorf("--from: %w", err)
	}
	if err != nil {
		return err
	}
	o.kube, err = newKubeClients(o.flags)
	return err
}

// Run plans, mints and writes the scale config; on any failure after minting it revokes the
// token, so nothing is left behind.
func (o *ScaleConfigOptions) Run(ctx context.Context) (err error) {
	plan, err := scaleout.NewPlan(ctx, o.kube.Client, o.kube.Config, o.request, o.fileName())
	if err != nil {
		return err
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(o.ErrOut, "warning: %s\n", w)
	}
	if o.DryRun {
		fmt.Fprintf(o.ErrOut, "Dry run: the %s cluster %q would get a token valid for %s; nothing minted or written.\n",
			plan.Facts.Flavour, plan.Facts.ClusterID, o.TTL)
		return o.print(plan.Config, o.outputOrJSON())
	}
	cfg, tok, err := plan.Mint(ctx, o.kube.Client)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			o.revoke(ctx, tok, err)
		}
	}()
	if o.OutFile != "" {
		if err := aksedge.WriteFile(o.OutFile, cfg); err != nil {
			return err
		}
		fmt.Fprintf(o.ErrOut, "Wrote %s for %s: token %s expires %s.\n",
			o.OutFile, o.machineLabel(), tok.ID, tok.Expiration.Format(time.RFC3339))
	}
	if o.OutFile == "" || o.Output != "" {
		return o.print(cfg, o.outputOrJSON())
	}
	return nil
}

// revoke removes a token whose file could not be delivered. It uses a fresh deadline since
// the command's own context may be what ran out.
func (o *ScaleConfigOptions) revoke(ctx context.Context, tok *cluster.Token, cause error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := cluster.RevokeToken(ctx, o.kube.Client, tok.ID); err != nil {
		fmt.Fprintf(o.ErrOut, "warning: token %s was minted but not delivered (%v), and revoking it failed: %v; "+
			"run 'kubectl aksee token revoke %s'\n", tok.ID, cause, err, tok.ID)
		return
	}
	klog.V(2).InfoS("Revoked the undelivered token", "id", tok.ID)
}

func (o *ScaleConfigOptions) print(cfg *aksedge.Config, format string) error {
	data, err := aksedge.Marshal(cfg, o.ShowSecrets)
	if err != nil {
		return err
	}
	if format == outputYAML {
		return printYAMLFromJSON(o.Out, data)
	}
	_, err = o.Out.Write(data)
	return err
}

func (o *ScaleConfigOptions) outputOrJSON() string {
	if o.Output == "" {
		return outputJSON
	}
	return o.Output
}

func (o *ScaleConfigOptions) fileName() string {
	if o.OutFile != "" {
		return o.OutFile
	}
	return "scale-config"
}

func (o *ScaleConfigOptions) machineLabel() string {
	if o.MachineName != "" {
		return fmt.Sprintf("machine %q", o.MachineName)
	}
	return "the new machine"
}

// validateNetwork checks the network flags that stand in for the primary's file.
func (o *ScaleConfigOptions) validateNetwork() error {
	if o.Network.Gateway == "" || len(o.Network.DNS) == 0 {
		return usageErrorf("without --from, give the cluster network: --gateway and --dns " +
			"(and --control-plane-ip unless the kubeconfig server is the VIP)")
	}
	if o.Network.PrefixLength < 1 || o.Network.PrefixLength > 31 {
		return usageErrorf("--prefix-length %d is outside 1 to 31", o.Network.PrefixLength)
	}
	return checkIPv4Flags(o.Network.addresses())
}

// primaryFromFlags builds the primary's config from the network flags; what the cluster can
// tell (plugin, VIP) is filled in later.
func (o *ScaleConfigOptions) primaryFromFlags() (*aksedge.Config, error) {
	c, err := aksedge.NewConfig(aksedge.ScalableCluster, o.Network.SchemaVersion, o.request.NodeType)
	if err != nil {
		return nil, usageErrorf("--schema-version: %v", err)
	}
	o.Network.apply(c, func(string) bool { return true })
	c.Network.NetworkPlugin = ""
	return c, nil
}
