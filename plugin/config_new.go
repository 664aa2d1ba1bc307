package plugin

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
)

const configNewLong = `Write a deployment config for a new AKS Edge Essentials cluster, as
New-AksEdgeConfig does: every key AKS EE's own file has, with AKS EE's defaults, and the
values given by flags.

The file is validated as "config validate" would; an invalid file is not written unless
--force is given. Findings go to stderr, the file to stdout or --out (mode 0600, written
atomically). Without --node-type, any --windows-* flag makes the node type LinuxAndWindows.

The schema version belongs to the AKS EE release that will read the file; --schema-version
defaults to ` + aksedge.LatestSchemaVersion + `, the newest this version of kubectl-aksee knows.

Exit codes:
  0  the file was written and is valid (warnings may have been printed)
  1  the file is invalid and was not written (or was written with --force)
  2  usage error`

const configNewExample = `  # Write the config of the primary machine of a K3s ScalableCluster
  kubectl aksee config new --control-plane-ip 10.10.75.50 --gateway 10.10.75.1 \
    --prefix-length 24 --dns 8.8.8.8 --service-ip-start 10.10.75.101 --service-ip-size 50 \
    --linux-ip 10.10.75.51 --linux-memory-mb 8192 --adapter Ethernet --network-plugin flannel \
    --accept-eula --out aksedge-config.json

  # Print a single-machine config as YAML
  kubectl aksee config new --deployment-type SingleMachineCluster -o yaml`

// ConfigNewOptions holds the flags of "kubectl aksee config new".
type ConfigNewOptions struct {
	DeploymentType  string
	NodeType        string
	Network         networkFlags
	ServiceIPStart  string
	ServiceIPSize   int
	NetworkPlugin   string
	Adapter         string
	LinuxIP         string
	WindowsIP       string
	LinuxCPU        int
	LinuxMemoryMB   int
	LinuxDataGB     int
	WindowsCPU      int
	WindowsMemoryMB int

	OutFile string
	Output  string
	Force   bool

	flags    *pflag.FlagSet
	nodeType aksedge.NodeType

	genericiooptions.IOStreams
}

func newCmdConfigNew(streams genericiooptions.IOStreams) *cobra.Command {
	o := &ConfigNewOptions{IOStreams: streams}
	cmd := &cobra.Command{
		Use:     "new",
		Short:   "Write a deployment config for a new cluster",
		Long:    configNewLong,
		Example: configNewExample,
		Args:    requireNoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Complete(cmd)
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	o.AddFlags(cmd)
	return cmd
}

// AddFlags registers the flags of config new.
func (o *ConfigNewOptions) AddFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.DeploymentType, "deployment-type", aksedge.ScalableCluster,
		"Deployment type. One of: ScalableCluster|SingleMachineCluster.")
	f.StringVar(&o.NodeType, "node-type", string(aksedge.NodeLinux),
		"Nodes of the machine. One of: Linux|Windows|LinuxAndWindows.")
	f.StringVar(&o.OutFile, "out", "", "Write the file here (mode 0600) instead of to stdout.")
	f.StringVarP(&o.Output, "output", "o", "", "Output format. One of: json|yaml (default json).")
	f.BoolVar(&o.Force, "force", false, "If true, write the file even when validation finds errors.")
	o.addNetworkFlags(f)
	o.addMachineFlags(f)
}

func (o *ConfigNewOptions) addNetworkFlags(f *pflag.FlagSet) {
	o.Network.AddFlags(f)
	f.StringVar(&o.ServiceIPStart, "service-ip-start", "",
		"First LoadBalancer address (Init.ServiceIPRangeStart).")
	f.IntVar(&o.ServiceIPSize, "service-ip-size", 0,
		"Number of LoadBalancer addresses, 0 to 127 (Init.ServiceIPRangeSize).")
	f.StringVar(&o.NetworkPlugin, "network-plugin", aksedge.PluginFlannel,
		"Network plugin (Network.NetworkPlugin). One of: flannel (K3s)|calico (K8s).")
}

func (o *ConfigNewOptions) addMachineFlags(f *pflag.FlagSet) {
	f.StringVar(&o.Adapter, "adapter", "",
		"Physical adapter of the machine for the external switch (NetworkConnection.AdapterName).")
	f.StringVar(&o.LinuxIP, "linux-ip", "", "Address of the Linux node (LinuxNode.Ip4Address).")
	f.StringVar(&o.WindowsIP, "windows-ip", "", "Address of the Windows node (WindowsNode.Ip4Address).")
	f.IntVar(&o.LinuxCPU, "linux-cpu", aksedge.DefaultLinuxCPU,
		"CPUs of the Linux node (LinuxNode.CpuCount).")
	f.IntVar(&o.LinuxMemoryMB, "linux-memory-mb", aksedge.DefaultLinuxMemoryMB,
		"Memory of the Linux node in MB, an even number (LinuxNode.MemoryInMB).")
	f.IntVar(&o.LinuxDataGB, "linux-data-gb", aksedge.DefaultLinuxDataGB,
		"Data disk of the Linux node in GB (LinuxNode.DataSizeInGB).")
	f.IntVar(&o.WindowsCPU, "windows-cpu", aksedge.DefaultWindowsCPU,
		"CPUs of the Windows node (WindowsNode.CpuCount).")
	f.IntVar(&o.WindowsMemoryMB, "windows-memory-mb", aksedge.DefaultWindowsMemoryMB,
		"Memory of the Windows node in MB, an even number (WindowsNode.MemoryInMB).")
}

// Complete remembers which flags were given, so that only those override AKS EE's defaults,
// and infers LinuxAndWindows from Windows flags when --node-type is not given.
func (o *ConfigNewOptions) Complete(cmd *cobra.Command) {
	o.flags = cmd.Flags()
	if o.flags.Changed("node-type") {
		return
	}
	for _, name := range []string{"windows-ip", "windows-cpu", "windows-memory-mb"} {
		if o.flags.Changed(name) {
			o.NodeType = string(aksedge.NodeLinuxAndWindows)
		}
	}
}

// Validate checks the flags without doing any I/O.
func (o *ConfigNewOptions) Validate() error {
	if err := validateOutput(o.Output, outputJSON, outputYAML); err != nil {
		return err
	}
	if o.OutFile != "" && o.Output == outputYAML {
		return usageErrorf("--out writes the JSON file AKS EE reads; drop -o yaml")
	}
	if aksedge.CanonicalDeploymentType(o.DeploymentType) == "" {
		return usageErrorf("--deployment-type %q is not one of ScalableCluster, SingleMachineCluster",
			o.DeploymentType)
	}
	nodeType, err := aksedge.ParseNodeType(o.NodeType)
	if err != nil {
		return usageErrorf("--node-type %q is not one of Linux, Windows, LinuxAndWindows", o.NodeType)
	}
	o.nodeType = nodeType
	if err := o.validateAddresses(); err != nil {
		return err
	}
	return o.validateNodeFlags()
}

// validateAddresses checks the syntax of every address flag; whether the addresses fit
// together is the validator's job.
func (o *ConfigNewOptions) validateAddresses() error {
	return checkIPv4Flags(append(o.Network.addresses(),
		flagValue{"service-ip-start", o.ServiceIPStart}, flagValue{"linux-ip", o.LinuxIP},
		flagValue{"windows-ip", o.WindowsIP}))
}

// validateNodeFlags refuses node flags for a node the node type leaves out.
func (o *ConfigNewOptions) validateNodeFlags() error {
	groups := []struct {
		node  aksedge.NodeType
		flags []string
	}{
		{aksedge.NodeLinux, []string{"linux-ip", "linux-cpu", "linux-memory-mb", "linux-data-gb"}},
		{aksedge.NodeWindows, []string{"windows-ip", "windows-cpu", "windows-memory-mb"}},
	}
	for _, g := range groups {
		if o.nodeType == g.node || o.nodeType == aksedge.NodeLinuxAndWindows {
			continue
		}
		for _, name := range g.flags {
			if o.flags != nil && o.flags.Changed(name) {
				return usageErrorf("--%s needs a %s node, but --node-type is %s", name, g.node, o.nodeType)
			}
		}
	}
	return nil
}

// Run builds the config, validates it and writes it.
func (o *ConfigNewOptions) Run(context.Context) error {
	c, err := aksedge.NewConfig(o.DeploymentType, o.Network.SchemaVersion, o.nodeType)
	if err != nil {
		return usageError(err)
	}
	o.apply(c)
	name := o.OutFile
	if name == "" {
		name = "config" // the findings' file name when the config goes to stdout
	}
	findings := aksedge.Validate(aksedge.File{Name: name, Config: c})
	errs, _, err := printFindings(o.ErrOut, findings)
	if err != nil {
		return err
	}
	if errs > 0 && !o.Force {
		if _, err := fmt.Fprintf(o.ErrOut, "not written: %s; fix the flags or pass --force\n",
			plural(errs, "error")); err != nil {
			return err
		}
		return silentExit(ExitFailed)
	}
	if err := o.write(c); err != nil {
		return err
	}
	if errs > 0 {
		return silentExit(ExitFailed)
	}
	return nil
}

func (o *ConfigNewOptions) write(c *aksedge.Config) error {
	if o.OutFile != "" {
		if err := aksedge.WriteFile(o.OutFile, c); err != nil {
			return err
		}
		_, err := fmt.Fprintf(o.ErrOut, "wrote %s\n", o.OutFile)
		return err
	}
	marshal := aksedge.Marshal
	if o.Output == outputYAML {
		marshal = aksedge.MarshalYAML
	}
	data, err := marshal(c, false)
	if err != nil {
		return err
	}
	_, err = o.Out.Write(data)
	return err
}

// apply sets the keys of the flags that were given; the others keep AKS EE's defaults.
func (o *ConfigNewOptions) apply(c *aksedge.Config) {
	set := func(flag string) bool { return o.flags != nil && o.flags.Changed(flag) }
	o.Network.apply(c, set)
	setString(set("network-plugin"), &c.Network.NetworkPlugin, o.NetworkPlugin)
	setString(set("service-ip-start"), &c.Init.ServiceIPRangeStart, o.ServiceIPStart)
	setInt(set("service-ip-size"), &c.Init.ServiceIPRangeSize, o.ServiceIPSize)
	m := &c.Machines[0]
	if set("adapter") {
		if m.NetworkConnection == nil {
			m.NetworkConnection = &aksedge.NetworkConnection{}
		}
		m.NetworkConnection.AdapterName = o.Adapter
	}
	if l := m.LinuxNode; l != nil {
		setString(set("linux-ip"), &l.Ip4Address, o.LinuxIP)
		setInt(set("linux-cpu"), &l.CpuCount, o.LinuxCPU)
		setInt(set("linux-memory-mb"), &l.MemoryInMB, o.LinuxMemoryMB)
		setInt(set("linux-data-gb"), &l.DataSizeInGB, o.LinuxDataGB)
	}
	if w := m.WindowsNode; w != nil {
		setString(set("windows-ip"), &w.Ip4Address, o.WindowsIP)
		setInt(set("windows-cpu"), &w.CpuCount, o.WindowsCPU)
		setInt(set("windows-memory-mb"), &w.MemoryInMB, o.WindowsMemoryMB)
	}
}
