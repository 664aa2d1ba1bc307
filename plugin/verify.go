package plugin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/verify"
)

const verifyLong = `Check the cluster the way an SRE would after a scale-out.

verify checks that every expected node is present, Ready, with the configured InternalIP and
the OS its name promises (<host>-ledge is Linux, <host>-wedge Windows); that every node is
Ready, without pressure, schedulable, with a kubelet within the supported version skew and
the same flavour (K3s or K8s) as the others; that the API server is ready, reached at the
configured VIP, with an odd number of control planes; that coredns and kube-vip (K3s) or
calico-node (K8s) run and no kube-system pod crash-loops; and that namespace aksedge holds
ConfigMap aksedge, whose cluster id matches the config files.

Expected nodes come from AKS EE deployment or scale config files (-f), from --expect-node
NAME[=IP] and from --expect-linux / --expect-windows counts. --connectivity also starts a
short-lived pod on each Linux node that resolves kubernetes.default, and removes it.

Exit codes:
  0  every check passed (warnings allowed)
  1  a check failed
  2  usage error
  3  the cluster could not be read (API server unreachable, no permission)`

const verifyExample = `  # Check the cluster of the current kubeconfig context
  kubectl aksee verify

  # Check that two machines' nodes joined, as their scale configs say
  kubectl aksee verify -f scale-worker1.json -f scale-worker2.json

  # Wait up to 15 minutes for a new Linux node and a new Windows node to become Ready
  kubectl aksee verify --expect-node worker1-ledge=10.10.75.61 \
    --expect-node worker1-wedge=10.10.75.71 --wait --timeout 15m

  # Print the report as JSON for a pipeline
  kubectl aksee verify --expect-linux 2 --expect-windows 2 -o json`

const outputWide = "wide"

// VerifyOptions holds the flags of "kubectl aksee verify".
type VerifyOptions struct {
	Filenames           []string
	ExpectNodes         []string
	ExpectLinux         int
	ExpectWindows       int
	AllowCordoned       bool
	AllowTaints         []string
	MaxKubeletSkew      int
	RestartThreshold    int32
	Connectivity        bool
	ConnectivityImage   string
	ConnectivityTimeout time.Duration
	Wait                bool
	Timeout             time.Duration
	Output              string

	configFlags *genericclioptions.ConfigFlags
	expect      verify.Expectations
	client      kubernetes.Interface
	endpoint    string
	namespace   string

	genericiooptions.IOStreams
}

func newCmdVerify(configFlags *genericclioptions.ConfigFlags,
	streams genericiooptions.IOStreams) *cobra.Command {
	o := &VerifyOptions{configFlags: configFlags, IOStreams: streams}
	cmd := &cobra.Command{
		Use:     "verify",
		Short:   "Check that the cluster's nodes and system pods are healthy",
		Long:    verifyLong,
		Example: verifyExample,
		Args:    requireNoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Complete(); err != nil {
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

// AddFlags registers the flags of the verify command.
func (o *VerifyOptions) AddFlags(cmd *cobra.Command) {
	defaults := verify.DefaultOptions()
	f := cmd.Flags()
	f.StringSliceVarP(&o.Filenames, "filename", "f", nil,
		"AKS EE deployment or scale config file whose machines' nodes must be present; repeatable.")
	f.StringArrayVar(&o.ExpectNodes, "expect-node", nil,
		"Node that must be present, as NAME or NAME=IP (its InternalIP); repeatable.")
	f.IntVar(&o.ExpectLinux, "expect-linux", -1, "Number of Linux nodes the cluster must have.")
	f.IntVar(&o.ExpectWindows, "expect-windows", -1, "Number of Windows nodes the cluster must have.")
	f.BoolVar(&o.AllowCordoned, "allow-cordoned", false, "If true, a cordoned node passes.")
	f.StringSliceVar(&o.AllowTaints, "allow-taint", nil, "Taint key that is expected on nodes; repeatable.")
	f.IntVar(&o.MaxKubeletSkew, "max-kubelet-skew", defaults.MaxKubeletSkew,
		"Minor versions a kubelet may be behind the API server.")
	f.Int32Var(&o.RestartThreshold, "restart-threshold", defaults.RestartThreshold,
		"Restarts of a kube-system container above which it is reported as a warning.")
	f.BoolVar(&o.Connectivity, "connectivity", false,
		"If true, run a pod on each Linux node that resolves kubernetes.default, then remove it.")
	f.StringVar(&o.ConnectivityImage, "connectivity-image", "busybox:1.36",
		"Image of the --connectivity pods; it must have nslookup.")
	f.DurationVar(&o.ConnectivityTimeout, "connectivity-timeout", 2*time.Minute,
		"How long the --connectivity pods may take, image pull included.")
	f.BoolVar(&o.Wait, "wait", false,
		"If true, keep watching the cluster until every check passes or --timeout ends.")
	f.DurationVar(&o.Timeout, "timeout", 15*time.Minute, "How long --wait waits.")
	f.StringVarP(&o.Output, "output", "o", "", "Output format. One of: wide|json|yaml.")
}

// Validate checks the flags without doing any I/O.
func (o *VerifyOptions) Validate() error {
	if err := validateOutput(o.Output, outputWide, outputJSON, outputYAML); err != nil {
		return err
	}
	counts := map[string]int{"--expect-linux": o.ExpectLinux, "--expect-windows": o.ExpectWindows}
	for name, v := range counts {
		if v < -1 {
			return usageErrorf("%s %d must not be negative", name, v)
		}
	}
	switch {
	case o.MaxKubeletSkew < 0:
		return usageErrorf("--max-kubelet-skew %d must not be negative", o.MaxKubeletSkew)
	case o.Timeout <= 0:
		return usageErrorf("--timeout %s must be positive", o.Timeout)
	case o.ConnectivityTimeout < time.Second:
		return usageErrorf("--connectivity-timeout %s must be at least 1s", o.ConnectivityTimeout)
	}
	return nil
}

// Complete turns the flags and config files into expectations.
func (o *VerifyOptions) Complete() error {
	o.expect = verify.NoExpectations()
	o.expect.Linux, o.expect.Windows = o.ExpectLinux, o.ExpectWindows
	for _, v := range o.ExpectNodes {
		e, err := verify.ParseExpectNode(v)
		if err != nil {
			return usageError(err)
		}
		o.expect.Nodes = append(o.expect.Nodes, e)
	}
	return o.loadFiles()
}

// connect builds the client from the kubectl flags.
func (o *VerifyOptions) connect() error {
	cfg, err := o.configFlags.ToRESTConfig()
	if err != nil {
		return &ExitError{Code: ExitUnavailable, Err: fmt.Errorf("load kubeconfig: %w", err)}
	}
	cfg = rest.CopyConfig(cfg)
	// Protobuf decodes big node and pod lists faster than JSON. A big cluster takes dozens of
	// list pages; client-go's default of 5 requests a second would make verify wait on its
	// own rate limiter rather than on the API server.
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	cfg.QPS, cfg.Burst = 50, 100
	if o.client, err = kubernetes.NewForConfig(cfg); err != nil {
		return &ExitError{Code: ExitUnavailable, Err: fmt.Errorf("build client: %w", err)}
	}
	o.endpoint = cfg.Host
	if o.namespace, _, err = o.configFlags.ToRawKubeConfigLoader().Namespace(); err != nil {
		return &ExitError{Code: ExitUnavailable, Err: fmt.Errorf("read namespace: %w", err)}
	}
	return nil
}

// Run verifies the cluster, prints the report and returns an error carrying the exit code.
func (o *VerifyOptions) Run(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := o.connect(); err != nil {
		return err
	}
	report, state, err := o.report(ctx)
	if err != nil {
		return err
	}
	if o.Connectivity && state != nil {
		probes, err := verify.ProbeConnectivity(ctx, o.client, state.Nodes, verify.ConnectivityOptions{
			Image: o.ConnectivityImage, Namespace: o.namespace, Timeout: o.ConnectivityTimeout,
		})
		if err != nil {
			return &ExitError{Code: ExitUnavailable, Err: err}
		}
		report = verify.NewReport(append(report.Results, probes...))
	}
	if err := o.print(report); err != nil {
		return err
	}
	if report.Status == verify.Fail {
		return silentExit(ExitFailed)
	}
	return nil
}

// report reads the cluster once, or follows it with --wait.
func (o *VerifyOptions) report(ctx context.Context) (verify.Report, *verify.State, error) {
	checks := o.checkOptions()
	if !o.Wait {
		state, err := verify.Collect(ctx, o.client, o.endpoint)
		if err != nil {
			return verify.Report{}, nil, &ExitError{Code: ExitUnavailable, Err: err}
		}
		return verify.Evaluate(state, o.expect, checks), state, nil
	}
	ctx, cancel := context.WithTimeoutCause(ctx, o.Timeout,
		fmt.Errorf("--timeout %s ran out", o.Timeout))
	defer cancel()
	w := verify.NewWatcher(o.client, o.endpoint)
	var last []string
	report, err := verify.Wait(ctx, w, o.expect, checks, func(r verify.Report) {
		if key := failureKeys(r); !slices.Equal(key, last) && len(key) > 0 {
			verify.WriteProgress(o.ErrOut, r)
			last = key
		}
	})
	switch {
	case errors.Is(err, verify.ErrUnavailable):
		return report, nil, &ExitError{Code: ExitUnavailable, Err: err}
	case err != nil:
		fmt.Fprintf(o.ErrOut, "Gave up waiting: %v\n", err)
	}
	return report, w.State(context.WithoutCancel(ctx)), nil
}

func (o *VerifyOptions) checkOptions() verify.Options {
	return verify.Options{
		AllowCordoned:    o.AllowCordoned,
		AllowedTaints:    o.AllowTaints,
		MaxKubeletSkew:   o.MaxKubeletSkew,
		RestartThreshold: o.RestartThreshold,
	}
}

// failureKeys identifies the failing results and their messages, so --wait prints only when
// something changed.
func failureKeys(r verify.Report) []string {
	var keys []string
	for _, res := range r.Failed() {
		keys = append(keys, strings.Join([]string{res.Check, res.Object, res.Message}, "\x00"))
	}
	return keys
}

func (o *VerifyOptions) print(r verify.Report) error {
	switch o.Output {
	case outputJSON, outputYAML:
		return printData(o.Out, o.Output, r)
	}
	return verify.WriteTable(o.Out, r, o.Output == outputWide)
}

// loadFiles turns the -f files into expectations. A file that cannot be read or parsed is a
// usage error: the command line named it.
func (o *VerifyOptions) loadFiles() error {
	for _, name := range o.Filenames {
		c, err := aksedge.Load(name, o.In)
		if err != nil {
			return usageError(fmt.Errorf("-f %s: %w", name, err))
		}
		if err := o.expect.AddConfig(name, c); err != nil {
			return usageError(err)
		}
	}
	return nil
}
