// Package plugin holds the cobra commands of kubectl-aksee, one file per subcommand. It is the
// only package that imports cobra or pflag; the work itself is done by the packages under
// internal/.
package plugin

import (
	"flag"
	"fmt"
	"io"
	"strconv"

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
	var verbosity *flag.Flag
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
			capVerbosity(verbosity, streams.ErrOut)
		},
	}
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })

	configFlags.AddFlags(cmd.PersistentFlags())
	verbosity = addKlogFlags(cmd.PersistentFlags())

	cmd.AddCommand(newCmdVersion(streams))
	cmd.AddCommand(newCmdConfig(streams))
	cmd.AddCommand(newCmdVerify(configFlags, streams))
	cmd.AddCommand(newCmdToken(configFlags, streams))
	cmd.AddCommand(newCmdJoin(configFlags, streams))
	cmd.AddCommand(newCmdScaleConfig(configFlags, streams))
	return cmd
}

// maxVerbosity is the highest -v the plugin honours. From -v=8 on, client-go logs request
// and response bodies, and the body that creates a bootstrap token holds its secret.
const maxVerbosity = 7

// addKlogFlags exposes klog's verbosity as -v and nothing else of klog's flag set; it
// returns the flag.
func addKlogFlags(fs *pflag.FlagSet) *flag.Flag {
	klogFlags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(klogFlags)
	v := klogFlags.Lookup("v")
	fs.AddGoFlag(v)
	return v
}

// capVerbosity lowers -v to maxVerbosity, saying so, so that no -v prints a secret.
func capVerbosity(v *flag.Flag, errOut io.Writer) {
	level, err := strconv.Atoi(v.Value.String())
	if err != nil || level <= maxVerbosity {
		return
	}
	_ = v.Value.Set(strconv.Itoa(maxVerbosity))
	_, _ = fmt.Fprintf(errOut, "warning: -v=%d lowered to -v=%d: higher levels log request bodies, "+
		"which hold join tokens\n", level, maxVerbosity)
}

// requireNoArgs is cobra.NoArgs that reports a usage error.
func requireNoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%s takes no arguments, got %q", cmd.CommandPath(), args)
	}
	return nil
}
