// Package plugin holds the cobra commands of kubectl-aksee, one file per subcommand. It is the
// only package that imports cobra or pflag; the work itself is done by the packages under
// internal/.
package plugin

import (
	"flag"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"
)

const rootLong = `kubectl aksee scales out AKS Edge Essentials clusters from a kubeconfig.

It writes and checks AKS Edge Essentials deployment files, mints join tokens through the
Kubernetes API, deploys new Windows machines over WinRM and verifies the result.

Exit codes:
  0  success
  1  the command failed, or found problems
  2  usage error
  3  the cluster or host could not be reached`

// NewCmdAksee returns the root command with every subcommand attached.
func NewCmdAksee(streams genericiooptions.IOStreams) *cobra.Command {
	configFlags := genericclioptions.NewConfigFlags(true)
	cmd := &cobra.Command{
		Use:   "kubectl-aksee",
		Short: "Scale out AKS Edge Essentials clusters",
		Long:  rootLong,
		Annotations: map[string]string{
			cobra.CommandDisplayNameAnnotation: "kubectl aksee",
		},
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRun: func(*cobra.Command, []string) {
			klog.LogToStderr(false)
			klog.SetOutput(streams.ErrOut)
		},
	}
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })

	configFlags.AddFlags(cmd.PersistentFlags())
	addKlogFlags(cmd.PersistentFlags())

	cmd.AddCommand(newCmdVersion(streams))
	cmd.AddCommand(newCmdConfig(streams))
	cmd.AddCommand(newCmdVerify(configFlags, streams))
	cmd.AddCommand(newCmdToken(configFlags, streams))
	cmd.AddCommand(newCmdJoin(configFlags, streams))
	cmd.AddCommand(newCmdScaleConfig(configFlags, streams))
	return cmd
}

// addKlogFlags exposes klog's verbosity as -v and nothing else of klog's flag set.
func addKlogFlags(fs *pflag.FlagSet) {
	klogFlags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(klogFlags)
	fs.AddGoFlag(klogFlags.Lookup("v"))
}

// requireNoArgs is cobra.NoArgs that reports a usage error.
func requireNoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}
