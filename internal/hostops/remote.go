package hostops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"k8s.io/klog/v2"

	"github.com/kubectl-aksee/kubectl-aksee/internal/winrm"
)

// reconnectBackoff bounds the wait between attempts while the host is away.
const reconnectBackoff = 5 * time.Second

// transient reports whether err means the host is away for now (a dropped network, a reboot)
// rather than refusing: such operations are retried until the context ends.
func transient(ctx context.Context, err error) bool {
	return ctx.Err() == nil &&
		(errors.Is(err, winrm.ErrUnreachable) || errors.Is(err, winrm.ErrTimeout))
}

// retry calls op until it succeeds, fails for good, or ctx ends. Every script join sends is
// safe to run again, which is what makes this retry sound. Until the host has answered once,
// nothing is retried here (the WinRM client's own short retry applies): a host that was
// never reachable is reported at once, not after --timeout.
func (p *procedure) retry(ctx context.Context, what string, op func() error) error {
	backoff, announced := 250*time.Millisecond, false
	for {
		err := op()
		if err == nil {
			p.reached = true
		}
		if err == nil || !p.reached || !transient(ctx, err) {
			if err == nil && announced {
				p.progress("back")
			}
			return err
		}
		if !announced {
			p.progress("not answering (%s); waiting for it to come back…", what)
			announced = true
		}
		klog.V(2).InfoS("Host unreachable; retrying", "host", p.o.HostName, "op", what, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (while the host was not answering: %w)", what, ctx.Err(), err)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, reconnectBackoff)
	}
}

// exec runs a script with stdout going to out; it returns the exit code and the stderr text.
func (p *procedure) exec(ctx context.Context, name string, d scriptData, out io.Writer) (int, string, error) {
	script, err := renderScript(name, d)
	if err != nil {
		return 0, "", err
	}
	klog.V(3).InfoS("Running host script", "host", p.o.HostName, "script", name)
	var code int
	var stderr bytes.Buffer
	err = p.retry(ctx, name, func() error {
		stderr.Reset()
		var runErr error
		code, runErr = p.o.Host.RunPowerShell(ctx, script, out, &stderr)
		return runErr
	})
	return code, stderr.String(), err
}

// capture runs a script that must exit 0 and returns its output.
func (p *procedure) capture(ctx context.Context, name string, d scriptData) (string, error) {
	var out bytes.Buffer
	code, stderr, err := p.exec(ctx, name, d, &out)
	if err != nil {
		return "", err
	}
	if code != 0 {
		return "", scriptFailed(name, code, out.String()+stderr)
	}
	return out.String(), nil
}

// stream runs a script that must exit 0, showing its output as it comes.
func (p *procedure) stream(ctx context.Context, name string, d scriptData) error {
	code, stderr, err := p.exec(ctx, name, d, p.hostLines())
	if err != nil {
		return err
	}
	if code != 0 {
		return scriptFailed(name, code, stderr)
	}
	return nil
}

func scriptFailed(name string, code int, output string) error {
	msg := fmt.Sprintf("%s exited with %d", name, code)
	if tail := lastLines(output, 5); tail != "" {
		msg += ":\n" + tail
	}
	return errors.New(msg)
}

// lastLines returns the last n non-empty lines of s.
func lastLines(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// copyFile pushes r to the host, starting over while the host is away.
func (p *procedure) copyFile(ctx context.Context, r io.ReadSeeker, remotePath string) error {
	return p.retry(ctx, "copy "+remotePath, func() error {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("rewind: %w", err)
		}
		return p.o.Host.CopyFile(ctx, r, remotePath)
	})
}
