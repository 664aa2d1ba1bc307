package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
	"github.com/kubectl-aksee/kubectl-aksee/internal/hostops"
	"github.com/kubectl-aksee/kubectl-aksee/internal/winrm"
)

const joinLong = `Deploy a scale config on a Windows host over WinRM, so that the host joins the cluster.

join runs the host side of adding a machine: preflight (64-bit elevated PowerShell, the
AksEdge module and its flavour, an existing deployment, the physical adapter, free disk,
memory and processors), an optional install of the AksEdge MSI (--msi or --msi-url) and of
the host features (the host may restart; join waits for it), the config pushed to a folder
only Administrators can read, Test-AksEdgeNetworkParameters, and New-AksEdgeDeployment run
as a scheduled task on the host so that the network drop while Hyper-V builds the external
switch cannot end it. join follows its transcript, removes the config from the host, waits
through a watch for the new nodes to be Ready with the configured addresses, and revokes the
bootstrap token. The node names come from the host's own hostname: <hostname>-ledge and
<hostname>-wedge, lower-cased.

A host that has already joined is reported and left unchanged. When a step fails after the
config reached the host, join names the step, shows the end of the transcript and where
Get-AksEdgeLogs put the logs, removes the config and revokes the token.

The WinRM password comes from --password-file, from AKSEE_WINRM_PASSWORD, or from a prompt
when stdin is a terminal; never from a flag value.

Exit codes:
  0  the host joined, or had already joined
  1  a step failed, or preflight refused the host
  2  usage error
  3  the host or the cluster could not be reached`

const joinExample = `  # Join the host with the scale config written by "kubectl aksee scale-config"
  AKSEE_WINRM_PASSWORD=... kubectl aksee join aksee-worker02 -f scale-config.json

  # Print the steps without contacting the host or changing the cluster
  kubectl aksee join aksee-worker02 -f scale-config.json --dry-run

  # Install the MSI first, on a host with two adapters
  kubectl aksee join 10.10.75.12:5986 -f scale-config.json --msi AksEdge-K3s-1.11.247.0.msi \
    --adapter Ethernet --password-file ~/.winrm-password`

// JoinOptions holds the flags of "kubectl aksee join".
type JoinOptions struct {
	Host         string
	Filename     string
	DryRun       bool
	Timeout      time.Duration
	Adapter      string
	MSI          string
	MSIURL       string
	PollInterval time.Duration

	winrm       *winrmOptions
	configFlags *genericclioptions.ConfigFlags
	config      *aksedge.Config
	getenv      func(string) string

	genericiooptions.IOStreams
}

func newCmdJoin(configFlags *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &JoinOptions{
		Timeout: time.Hour, winrm: newWinRMOptions(), configFlags: configFlags, getenv: os.Getenv,
		IOStreams: streams,
	}
	cmd := &cobra.Command{
		Use:     "join HOST -f SCALE_CONFIG",
		Short:   "Deploy a scale config on a Windows host over WinRM",
		Long:    joinLong,
		Example: joinExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Complete(args); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	o.AddFlags(cmd)
	return cmd
}

// AddFlags registers the flags of the join command.
func (o *JoinOptions) AddFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVarP(&o.Filename, "filename", "f", "", "Scale config (AddMachine JSON) to deploy; - reads stdin.")
	fs.BoolVar(&o.DryRun, "dry-run", false,
		"If true, print every step without contacting the host or changing the cluster.")
	fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "Bound on the whole join, install and deployment included.")
	fs.StringVar(&o.Adapter, "adapter", "",
		"Physical network adapter on the host for the external switch; needed when more than one is up.")
	fs.StringVar(&o.MSI, "msi", "", "AksEdge MSI file to copy to the host and install first.")
	fs.StringVar(&o.MSIURL, "msi-url", "", "URL the host downloads the AksEdge MSI from, to install it first.")
	fs.DurationVar(&o.PollInterval, "poll-interval", 5*time.Second, "How often the deployment transcript is read.")
	_ = fs.MarkHidden("poll-interval")
	o.winrm.AddFlags(fs)
	// Short spellings of --winrm-http and --winrm-auth.
	fs.BoolVar(&o.winrm.HTTP, "http", false, "If true, same as --winrm-http.")
	fs.StringVar(&o.winrm.Auth, "auth", o.winrm.Auth, "Same as --winrm-auth: ntlm or basic.")
}

// Complete takes the host argument and loads the scale config.
func (o *JoinOptions) Complete(args []string) error {
	if len(args) != 1 {
		return usageErrorf("join takes exactly one HOST, got %d arguments", len(args))
	}
	o.Host = args[0]
	if o.Filename == "" {
		return usageErrorf("-f SCALE_CONFIG is required")
	}
	cfg, err := aksedge.Load(o.Filename, o.In)
	if err != nil {
		return err
	}
	o.config = cfg
	return nil
}

// Validate checks the flags and the config without any I/O.
func (o *JoinOptions) Validate() error {
	if o.MSI != "" && o.MSIURL != "" {
		return usageErrorf("--msi and --msi-url exclude each other")
	}
	if o.Timeout <= 0 {
		return usageErrorf("--timeout must be positive")
	}
	if _, _, err := winrm.SplitHostPort(o.Host); err != nil {
		return usageErrorf("HOST %q: %v", o.Host, err)
	}
	if err := o.winrm.Validate(); err != nil {
		return err
	}
	return validateJoinConfig(o.Filename, o.config)
}

// validateJoinConfig checks that cfg is a join file for one machine.
func validateJoinConfig(name string, cfg *aksedge.Config) error {
	switch {
	case !cfg.IsJoin() || cfg.Join.ClusterJoinToken == "":
		return usageErrorf("%s: not a scale config: Join.ClusterJoinToken is missing; "+
			"write one with kubectl aksee scale-config", name)
	case len(cfg.Machines) != 1:
		return usageErrorf("%s: a scale config has exactly one Machines entry, found %d", name, len(cfg.Machines))
	case cfg.Machines[0].LinuxNode == nil:
		return usageErrorf("%s: Machines[0].LinuxNode is missing", name)
	}
	return nil
}

// Run joins the host, or prints the plan for --dry-run.
func (o *JoinOptions) Run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	hopts := hostops.Options{
		HostName: o.Host, Config: o.config, Adapter: o.Adapter, MSIURL: o.MSIURL,
		PollInterval: o.PollInterval, Out: o.Out, ErrOut: o.ErrOut, Flavour: cluster.Flavour(o.config.Flavour()),
	}
	if o.MSI != "" {
		hopts.MSIName = filepath.Base(o.MSI)
	}
	if o.DryRun {
		return o.dryRun(hopts)
	}
	return o.join(ctx, hopts)
}

func (o *JoinOptions) dryRun(hopts hostops.Options) error {
	fmt.Fprintf(o.Out, "join %s would run these steps (nothing is contacted or changed):\n", o.Host)
	if err := hostops.DryRun(o.Out, hopts); err != nil {
		return err
	}
	data, err := aksedge.Marshal(o.config, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "\nconfig to push, secrets redacted (AdapterName is set to the chosen adapter):\n%s\n",
		strings.TrimRight(string(data), "\n"))
	return nil
}

func (o *JoinOptions) join(ctx context.Context, hopts hostops.Options) error {
	kube, err := newKubeClients(o.configFlags)
	if err != nil {
		return err
	}
	flavour, err := cluster.DetectFlavour(ctx, kube.Client)
	if err != nil {
		return classifyAPIError(err)
	}
	if f := cluster.Flavour(o.config.Flavour()); f != "" && f != flavour {
		return fmt.Errorf("%s is a %s scale config but the cluster is %s", o.Filename,
			f, flavour)
	}
	hopts.Client, hopts.Flavour = kube.Client, flavour
	if err := o.winrm.Complete(o.IOStreams, o.getenv); err != nil {
		return err
	}
	wcfg, err := o.winrm.Config(o.Host)
	if err != nil {
		return err
	}
	client, err := winrm.New(wcfg)
	if err != nil {
		return usageError(err)
	}
	hopts.Host = client
	closeMSI, err := o.openMSI(&hopts)
	if err != nil {
		return err
	}
	defer closeMSI()
	res, err := hostops.Run(ctx, hopts)
	if err != nil {
		return o.joinError(err)
	}
	return o.printResult(res)
}

func (o *JoinOptions) openMSI(hopts *hostops.Options) (func(), error) {
	if o.MSI == "" {
		return func() {}, nil
	}
	f, err := os.Open(o.MSI)
	if err != nil {
		return nil, fmt.Errorf("open --msi: %w", err)
	}
	hopts.MSI = f
	return func() { _ = f.Close() }, nil
}

// joinError adds what the user can do to the WinRM error classes and picks the exit code.
func (o *JoinOptions) joinError(err error) error {
	switch {
	case errors.Is(err, winrm.ErrAuth):
		return fmt.Errorf("%s rejected the WinRM sign-in of user %q with the password read from %s; "+
			"check both: %w", o.Host, o.winrm.Username, o.winrm.passwordSource, err)
	case errors.Is(err, winrm.ErrTLS):
		return fmt.Errorf("%w; pass --winrm-ca FILE with the CA of the host's WinRM certificate, or "+
			"--insecure-skip-tls-verify", err)
	case errors.Is(err, winrm.ErrUnreachable), errors.Is(err, winrm.ErrTimeout):
		return &ExitError{Code: ExitUnavailable, Err: err}
	}
	return classifyAPIError(err)
}

func (o *JoinOptions) printResult(res *hostops.Result) error {
	if res.AlreadyJoined {
		fmt.Fprintf(o.Out, "%s has already joined; nothing was changed\n", o.Host)
	} else {
		fmt.Fprintf(o.Out, "%s joined the cluster\n", o.Host)
	}
	return printNodeStatuses(o.Out, res.Nodes)
}

func printNodeStatuses(w io.Writer, nodes []hostops.NodeStatus) error {
	for _, n := range nodes {
		status := "NotReady"
		if n.Ready {
			status = "Ready"
		}
		if _, err := fmt.Fprintf(w, "node/%s %s %s %s\n", n.Name, status, orDash(n.IP), n.OS); err != nil {
			return err
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
