package plugin

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-aksee/kubectl-aksee/internal/buildinfo"
)

// VersionOptions holds the flags of "kubectl aksee version".
type VersionOptions struct {
	Output string

	genericiooptions.IOStreams
}

func newCmdVersion(streams genericiooptions.IOStreams) *cobra.Command {
	o := &VersionOptions{IOStreams: streams}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of kubectl-aksee",
		Long:  "Print the version, commit and Go version kubectl-aksee was built with.",
		Example: `  # Print the version
  kubectl aksee version

  # Print it as JSON
  kubectl aksee version -o json`,
		Args: requireNoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	o.AddFlags(cmd)
	return cmd
}

// AddFlags registers the flags of the version command.
func (o *VersionOptions) AddFlags(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Output format. One of: json|yaml.")
}

// Validate checks the flags without doing any I/O.
func (o *VersionOptions) Validate() error {
	return validateOutput(o.Output, outputJSON, outputYAML)
}

// Run prints the version report.
func (o *VersionOptions) Run(context.Context) error {
	info := buildinfo.Get()
	if o.Output != "" {
		return printData(o.Out, o.Output, info)
	}
	_, err := fmt.Fprintf(o.Out, "kubectl-aksee %s (commit %s, %s, %s)\n",
		info.Version, info.Commit, info.GoVersion, info.Platform)
	return err
}
