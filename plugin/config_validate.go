package plugin

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
)

const configValidateLong = `Check AKS Edge Essentials deployment files offline: the checks of
Test-AksEdgeNetworkParameters that need no network (IPv4 syntax, one subnet, no overlaps,
pod and service networks of the flavour, DNS present, proxy URLs, secondary networks) and the
rules of join files (Join block complete for the flavour, NetworkPlugin matching the token,
control planes only on Linux).

The files given together are taken to be one cluster: the primary's aksedge-config.json and
the join files of the machines added to it. Across them no node address or MAC address may
repeat, the flavour and network section must agree, and the machine and control-plane
counts must stay within AKS EE's limits. "-" reads a file from stdin.

Every finding names the file, the key and the fix. Warnings (an adapter name copied from the
primary, a Wi-Fi adapter, ...) fail the command only with --strict.

Exit codes:
  0  every file is valid
  1  errors were found (or warnings, with --strict)
  2  usage error`

const configValidateExample = `  # Check the primary's config
  kubectl aksee config validate aksedge-config.json

  # Check a primary and the join files of two workers as one cluster, as JSON
  kubectl aksee config validate aksedge-config.json worker1.json worker2.json -o json

  # Check a config read from stdin, failing on warnings too
  cat worker1.json | kubectl aksee config validate --strict -`

// ConfigValidateOptions holds the flags and arguments of "kubectl aksee config validate".
type ConfigValidateOptions struct {
	Files  []string
	Output string
	Strict bool

	genericiooptions.IOStreams
}

// validateReport is the -o json|yaml form of the result.
type validateReport struct {
	Valid    bool              `json:"valid"`
	Files    []string          `json:"files"`
	Errors   int               `json:"errors"`
	Warnings int               `json:"warnings"`
	Findings []aksedge.Finding `json:"findings"`
}

func newCmdConfigValidate(streams genericiooptions.IOStreams) *cobra.Command {
	o := &ConfigValidateOptions{IOStreams: streams}
	cmd := &cobra.Command{
		Use:     "validate FILE...",
		Short:   "Check deployment files offline, as Test-AksEdgeNetworkParameters does",
		Long:    configValidateLong,
		Example: configValidateExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Complete(args)
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	o.AddFlags(cmd)
	return cmd
}

// AddFlags registers the flags of config validate.
func (o *ConfigValidateOptions) AddFlags(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "Output format. One of: json|yaml.")
	cmd.Flags().BoolVar(&o.Strict, "strict", false, "If true, warnings fail the command too.")
}

// Complete takes the file arguments.
func (o *ConfigValidateOptions) Complete(args []string) {
	o.Files = args
}

// Validate checks the flags and arguments without doing any I/O.
func (o *ConfigValidateOptions) Validate() error {
	if len(o.Files) == 0 {
		return usageErrorf("give at least one file to validate, or - for stdin")
	}
	stdin := 0
	for _, f := range o.Files {
		if f == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usageErrorf("- (stdin) can be given only once")
	}
	return validateOutput(o.Output, outputJSON, outputYAML)
}

// Run loads and validates the files and reports the findings.
func (o *ConfigValidateOptions) Run(context.Context) error {
	report := validateReport{Findings: o.findings()}
	for _, f := range o.Files {
		report.Files = append(report.Files, displayName(f))
	}
	for _, f := range report.Findings {
		if f.Severity == aksedge.SeverityError {
			report.Errors++
		} else {
			report.Warnings++
		}
	}
	report.Valid = !aksedge.HasErrors(report.Findings, o.Strict)
	if err := o.print(report); err != nil {
		return err
	}
	if !report.Valid {
		return silentExit(ExitFailed)
	}
	return nil
}

// findings loads every file, turning load errors into findings, and validates the rest.
func (o *ConfigValidateOptions) findings() []aksedge.Finding {
	var loadFindings []aksedge.Finding
	var files []aksedge.File
	for _, path := range o.Files {
		c, err := aksedge.Load(path, o.In)
		if err == nil {
			files = append(files, aksedge.File{Name: displayName(path), Config: c})
			continue
		}
		parseErrs := aksedge.ParseErrors(err)
		for _, pe := range parseErrs {
			loadFindings = append(loadFindings, aksedge.FromParseError(pe))
		}
		if len(parseErrs) == 0 {
			loadFindings = append(loadFindings, aksedge.Finding{
				File: displayName(path), Severity: aksedge.SeverityError, Message: err.Error(),
			})
		}
	}
	return append(loadFindings, aksedge.Validate(files...)...)
}

func (o *ConfigValidateOptions) print(report validateReport) error {
	if o.Output != "" {
		if report.Findings == nil {
			report.Findings = []aksedge.Finding{}
		}
		return printData(o.Out, o.Output, report)
	}
	if _, _, err := printFindings(o.Out, report.Findings); err != nil {
		return err
	}
	files := plural(len(report.Files), "file")
	var err error
	switch {
	case len(report.Findings) == 0:
		_, err = fmt.Fprintf(o.ErrOut, "%s valid\n", files)
	case report.Valid:
		_, err = fmt.Fprintf(o.ErrOut, "%s valid, with %s\n", files, plural(report.Warnings, "warning"))
	default:
		_, err = fmt.Fprintf(o.ErrOut, "%s and %s in %s\n", plural(report.Errors, "error"),
			plural(report.Warnings, "warning"), files)
	}
	return err
}

// displayName is the name a file gets in findings.
func displayName(path string) string {
	if path == "-" {
		return aksedge.StdinName
	}
	return path
}
