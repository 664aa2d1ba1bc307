package winrm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	mwinrm "github.com/masterzen/winrm"
	"k8s.io/klog/v2"
)

// cancelGrace is how long a cancelled operation may spend terminating its command and
// deleting its shell before its connections are cut for good.
const cancelGrace = 5 * time.Second

// sendPiece is the most stdin sent in one Send request: its base64 plus the envelope stays
// below envelopeSize.
const sendPiece = 256 * 1024

// RunPowerShell runs script with powershell.exe -NoProfile -NonInteractive -EncodedCommand,
// writing its stdout and stderr to the writers as the host sends them, and returns its exit
// code. A script whose command line would pass cmd.exe's limit is sent compressed through
// BootstrapScript. A non-zero exit code is not an error; err is set when the command could
// not be run or followed to its end. Cancelling ctx terminates the command on the host.
func (c *Client) RunPowerShell(ctx context.Context, script string,
	stdout, stderr io.Writer) (int, error) {
	line, stdin := CommandLine(script)
	klog.V(2).InfoS("Running PowerShell", "url", c.url, "scriptBytes", len(script),
		"bootstrap", stdin != nil)
	// A bootstrap whose stdin could not be sent fails on the host, which its exit code shows.
	code, _, err := c.exec(ctx, "run PowerShell", line, bytes.NewReader(stdin), stdout, stderr)
	return code, err
}

// exec runs line in a new shell, feeding stdin and streaming the output. stdinErr reports
// stdin that could not be sent in full; err a command that could not be run or followed.
func (c *Client) exec(ctx context.Context, op, line string, stdin io.Reader,
	stdout, stderr io.Writer) (code int, stdinErr, err error) {
	s, shell, cmd, err := c.start(ctx, op, line)
	if err != nil {
		return -1, nil, err
	}
	defer s.conns.shutdown()
	// On cancellation, cut the Receive the host may be holding open, then terminate the
	// command over a new connection; the output loop then sees the command end.
	stop := context.AfterFunc(ctx, func() {
		s.conns.closeAll()
		time.AfterFunc(cancelGrace, s.conns.shutdown)
		if err := s.terminate(); err != nil {
			klog.V(2).InfoS("Terminating WinRM command", "url", c.url, "err", c.redact(err.Error()))
		}
	})
	defer stop()

	var wg sync.WaitGroup
	wg.Add(3)
	finished := make(chan struct{})
	go func() { defer wg.Done(); stdinErr = s.feed(stdin, finished) }()
	go func() { defer wg.Done(); drain(stdout, cmd.Stdout) }()
	go func() { defer wg.Done(); drain(stderr, cmd.Stderr) }()
	cmd.Wait()
	close(finished)
	wg.Wait()

	c.deleteShell(shell)
	if ctx.Err() != nil {
		return -1, stdinErr, c.classify(op, ctx.Err())
	}
	if err := cmd.Error(); err != nil {
		return -1, stdinErr, c.classify(op, err)
	}
	return cmd.ExitCode(), stdinErr, nil
}

// start opens a shell and starts line in it, retrying transient failures while it is safe:
// any failure to open a shell, and a failure to start the command only when the request
// never left (a dial error), since otherwise the command may already be running.
func (c *Client) start(ctx context.Context, op, line string) (*session, *mwinrm.Shell,
	*mwinrm.Command, error) {
	deadline := time.Now().Add(c.cfg.Retry)
	for backoff := 250 * time.Millisecond; ; backoff = min(2*backoff, 4*time.Second) {
		s, shell, cmd, retry, err := c.tryStart(ctx, op, line)
		if err == nil {
			return s, shell, cmd, nil
		}
		if !retry || c.cfg.Retry < 0 || time.Now().Add(backoff).After(deadline) {
			return nil, nil, nil, err
		}
		klog.V(2).InfoS("Retrying WinRM", "url", c.url, "after", backoff, "err", err)
		select {
		case <-ctx.Done():
			return nil, nil, nil, c.classify(op, ctx.Err())
		case <-time.After(backoff):
		}
	}
}

func (c *Client) tryStart(ctx context.Context, op, line string) (*session, *mwinrm.Shell,
	*mwinrm.Command, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, false, c.classify(op, err)
	}
	s, err := c.newSession()
	if err != nil {
		return nil, nil, nil, false, err
	}
	shell, err := s.mc.CreateShell()
	if err != nil {
		s.conns.shutdown()
		err = c.classify(op+": open shell", err)
		return nil, nil, nil, transient(err), err
	}
	cmd, err := shell.ExecuteWithContext(ctx, line)
	if err != nil {
		c.deleteShell(shell)
		s.conns.shutdown()
		return nil, nil, nil, isDialError(err), c.classify(op+": start command", err)
	}
	return s, shell, cmd, false, nil
}

func isDialError(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// feed sends stdin to the command in pieces and then its end, and stops early when the
// command has finished. It reports stdin that was not sent in full; a failure to send the
// end of stdin alone is not reported, since the command may simply have finished first.
func (s *session) feed(stdin io.Reader, finished <-chan struct{}) error {
	buf := make([]byte, sendPiece)
	for sent := 0; ; {
		select {
		case <-finished:
			return nil
		default:
		}
		n, err := io.ReadFull(stdin, buf)
		if n > 0 {
			if serr := s.send(buf[:n], false); serr != nil {
				_ = s.send(nil, true)
				return &sendError{sent: sent, err: serr}
			}
			sent += n
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			_ = s.send(nil, true)
			return nil
		}
		if err != nil {
			_ = s.send(nil, true)
			return fmt.Errorf("read stdin after %d bytes: %w", sent, err)
		}
	}
}

// sendError is a failure to deliver stdin, as opposed to one reading it.
type sendError struct {
	sent int
	err  error
}

func (e *sendError) Error() string {
	return fmt.Sprintf("send stdin after %d bytes: %v", e.sent, e.err)
}

func (e *sendError) Unwrap() error { return e.err }

// drain copies a command's stream to w and keeps reading if w fails, so that the command's
// output loop never blocks on a stream nobody reads.
func drain(w io.Writer, r io.Reader) {
	if w == nil {
		w = io.Discard
	}
	if _, err := io.Copy(w, r); err != nil {
		_, _ = io.Copy(io.Discard, r)
	}
}

func (c *Client) deleteShell(shell *mwinrm.Shell) {
	if err := shell.Close(); err != nil {
		klog.V(2).InfoS("Deleting WinRM shell", "url", c.url, "err", c.redact(err.Error()))
	}
}
