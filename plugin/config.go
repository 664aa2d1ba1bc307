package plugin

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
)

func newCmdConfig(streams genericiooptions.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Write and check AKS Edge Essentials deployment files",
		Long: `Write and check AKS Edge Essentials deployment files (aksedge-config.json and the
join files of machines added to a cluster).`,
		Args: requireNoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newCmdConfigNew(streams))
	cmd.AddCommand(newCmdConfigValidate(streams))
	return cmd
}

// printFindings writes one finding per line and returns the number of errors and warnings.
func printFindings(w io.Writer, findings []aksedge.Finding) (errs, warnings int, err error) {
	for _, f := range findings {
		if f.Severity == aksedge.SeverityError {
			errs++
		} else {
			warnings++
		}
		if _, err := fmt.Fprintln(w, f.String()); err != nil {
			return errs, warnings, err
		}
	}
	return errs, warnings, nil
}

// plural formats a count with its noun.
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
