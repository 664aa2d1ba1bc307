// Package hostops runs the host side of joining a Windows machine to an AKS Edge Essentials
// cluster: preflight, optional install, pushing the config, the network test, the detached
// deployment, clean-up, waiting for the nodes and revoking the join token. Each step has a
// title, prints "<host>: <title>…" as it starts, and can describe itself for a dry run.
package hostops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
)

// Host runs PowerShell on the Windows host and copies files to it; *winrm.Client is one.
type Host interface {
	RunPowerShell(ctx context.Context, script string, stdout, stderr io.Writer) (int, error)
	CopyFile(ctx context.Context, r io.Reader, remotePath string) error
}

// Options is what a join needs.
type Options struct {
	// Host is the connection to the machine; HostName names it in messages.
	Host     Host
	HostName string
	// Client talks to the cluster the machine joins; Flavour is the cluster's.
	Client  kubernetes.Interface
	Flavour cluster.Flavour
	// Config is the scale config (an AddMachine join file) to deploy.
	Config *aksedge.Config
	// Adapter is the physical adapter for the external switch; "" picks the only one that is up.
	Adapter string
	// MSI is a local AksEdge MSI to push and install; MSIURL one the host downloads.
	MSI     io.ReadSeeker
	MSIName string
	MSIURL  string
	// PollInterval is how often the deployment transcript is read; 5s when zero.
	PollInterval time.Duration
	// Out receives the result; ErrOut the progress and the host's own messages.
	Out, ErrOut io.Writer
}

// Result is what a join did.
type Result struct {
	// AlreadyJoined is true when the host had joined before and nothing was changed.
	AlreadyJoined bool
	Nodes         []NodeStatus
}

// ErrRefused marks a preflight refusal: nothing was changed on the host or in the cluster.
var ErrRefused = errors.New("refused")

// StepError says which step failed.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return fmt.Sprintf("step %q: %v", e.Step, e.Err) }

func (e *StepError) Unwrap() error { return e.Err }

// step is one titled part of the procedure.
type step struct {
	title string
	// plan describes what the step does, for --dry-run.
	plan func() []string
	run  func(ctx context.Context) error
	// skip tells whether the step has nothing to do, given what earlier steps found.
	skip func() bool
}

// procedure holds the options and what the steps learn along the way.
type procedure struct {
	o       Options
	facts   *facts
	adapter string
	linux   string // expected node names, from the host's own hostname
	windows string
	reached bool // the host has answered once: from now on it is waited for when away
	pushed  bool // the config (with the token) reached the host
	resume  bool // a deployment task was already running: only wait for it
	done    bool // the host had already joined: nothing to do
	result  Result
}

func newProcedure(o Options) *procedure {
	if o.PollInterval == 0 {
		o.PollInterval = 5 * time.Second
	}
	return &procedure{o: o}
}

func (p *procedure) steps() []step {
	return []step{
		{title: "preflight", plan: p.planPreflight, run: p.preflight},
		{title: "install AKS Edge Essentials", plan: p.planInstall, run: p.install, skip: p.skipInstall},
		{title: "push the config", plan: p.planPush, run: p.push, skip: p.skipToWait},
		{title: "test the network parameters", plan: p.planNetworkTest, run: p.networkTest, skip: p.skipToWait},
		{title: "start the deployment", plan: p.planStart, run: p.start, skip: p.skipToWait},
		{title: "wait for the deployment", plan: p.planWait, run: p.waitDeployment},
		{title: "remove the config from the host", plan: p.planCleanup, run: p.cleanup},
		{title: "wait for the nodes to be Ready", plan: p.planNodes, run: p.waitNodes},
		{title: "revoke the join token", plan: p.planRevoke, run: p.revoke},
	}
}

func (p *procedure) skipToWait() bool { return p.resume }

// Run joins the host. When it fails after the config reached the host, it removes the config
// and revokes the token before returning the error, which says which step failed.
func Run(ctx context.Context, o Options) (*Result, error) {
	p := newProcedure(o)
	for _, s := range p.steps() {
		if p.done {
			break
		}
		if s.skip != nil && s.skip() {
			continue
		}
		p.progress("%s…", s.title)
		if err := s.run(ctx); err != nil {
			p.rollback(s.title)
			return nil, &StepError{Step: s.title, Err: err}
		}
	}
	return &p.result, nil
}

// DryRun prints every step Run would take, and what it would send, without contacting the
// host or changing the cluster. Secrets are redacted.
func DryRun(w io.Writer, o Options) error {
	p := newProcedure(o)
	for i, s := range p.steps() {
		if _, err := fmt.Fprintf(w, "%d. %s\n", i+1, s.title); err != nil {
			return err
		}
		for _, line := range s.plan() {
			if _, err := fmt.Fprintf(w, "   %s\n", line); err != nil {
				return err
			}
		}
	}
	return nil
}

// progress writes a "<host>: …" line on ErrOut, named as the operator named the host so that
// the lines of several hosts can be told apart. Progress is best effort: a closed stderr must
// not stop a join halfway.
func (p *procedure) progress(format string, args ...any) {
	_, _ = fmt.Fprintf(p.o.ErrOut, "%s: %s\n", p.o.HostName, fmt.Sprintf(format, args...))
}

// hostLine writes one line of the host's own output.
func (p *procedure) hostLine(line string) {
	_, _ = fmt.Fprintf(p.o.ErrOut, "%s: | %s\n", p.o.HostName, line)
}

// hostLines returns a writer that prints the host's output as "<host>: |" lines.
func (p *procedure) hostLines() io.Writer {
	return &linePrefixer{w: p.o.ErrOut, prefix: p.o.HostName + ": | "}
}

// linePrefixer prefixes every complete line written to it.
type linePrefixer struct {
	w       io.Writer
	prefix  string
	partial string
}

func (l *linePrefixer) Write(b []byte) (int, error) {
	text := l.partial + strings.ReplaceAll(string(b), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	l.partial = lines[len(lines)-1]
	for _, line := range lines[:len(lines)-1] {
		if _, err := fmt.Fprintf(l.w, "%s%s\n", l.prefix, line); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}
