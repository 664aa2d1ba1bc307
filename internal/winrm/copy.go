package winrm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"k8s.io/klog/v2"
)

// copyLine is how many file bytes one line of CopyScript's stdin carries.
const copyLine = 48 * 1024

// CopyFile streams r to remotePath on the host through CopyScript, in one PowerShell process,
// and compares the SHA-256 the host computes of the written file with that of the bytes read
// from r. When r is an io.Seeker a transient failure (unreachable, timeout) is retried from
// the start of r, since the copy replaces the file.
func (c *Client) CopyFile(ctx context.Context, r io.Reader, remotePath string) error {
	seeker, canRetry := r.(io.Seeker)
	var start int64
	if canRetry {
		var err error
		if start, err = seeker.Seek(0, io.SeekCurrent); err != nil {
			canRetry = false
		}
	}
	deadline := time.Now().Add(c.cfg.Retry)
	for backoff := time.Second; ; backoff = min(2*backoff, 8*time.Second) {
		err := c.copyOnce(ctx, r, remotePath)
		if err == nil || !canRetry || !transient(err) || c.cfg.Retry < 0 ||
			time.Now().Add(backoff).After(deadline) {
			return err
		}
		klog.V(2).InfoS("Retrying copy", "url", c.url, "path", remotePath, "after", backoff,
			"err", err)
		select {
		case <-ctx.Done():
			return c.classify("copy to "+quote(remotePath), ctx.Err())
		case <-time.After(backoff):
		}
		if _, err := seeker.Seek(start, io.SeekStart); err != nil {
			return fmt.Errorf("rewind the copy of %q: %w", remotePath, err)
		}
	}
}

func (c *Client) copyOnce(ctx context.Context, r io.Reader, remotePath string) error {
	op := "copy to " + quote(remotePath)
	sum := sha256.New()
	var stdout, stderr bytes.Buffer
	code, stdinErr, err := c.exec(ctx, op, PowerShellPrefix+EncodeCommand(CopyScript),
		newCopyStream(remotePath, io.TeeReader(r, sum)), &stdout, &stderr)
	if err != nil {
		return err
	}
	// The host's own account of a failure comes first: stdin stops when the script does.
	if code != 0 {
		return c.failure(op, fmt.Sprintf("exit code %d", code), &stderr)
	}
	var sendErr *sendError
	if errors.As(stdinErr, &sendErr) {
		return c.classify(op, stdinErr)
	}
	if stdinErr != nil {
		return fmt.Errorf("%s: %w", op, stdinErr)
	}
	return c.checkHash(op, sum, stdout.String())
}

func (c *Client) checkHash(op string, sum hash.Hash, stdout string) error {
	want := hex.EncodeToString(sum.Sum(nil))
	fields := strings.Fields(stdout)
	got := ""
	if len(fields) > 0 {
		got = fields[len(fields)-1]
	}
	if !strings.EqualFold(got, want) {
		return c.failure(op, fmt.Sprintf("the host has SHA-256 %q, want %q", got, want), nil)
	}
	return nil
}

func (c *Client) failure(op, why string, stderr *bytes.Buffer) error {
	msg := fmt.Sprintf("%s on %s: %v: %s", op, c.url, ErrCommandFailed, why)
	if stderr != nil {
		if tail := lastLines(stderr.String(), 5); tail != "" {
			msg += ": " + tail
		}
	}
	return &opError{kind: ErrCommandFailed, msg: c.redact(msg)}
}

// lastLines returns the last n non-empty lines of s, joined by " | ".
func lastLines(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// copyStream produces CopyScript's stdin: the base64 path line, then a base64 line for each
// piece of the file.
type copyStream struct {
	src     io.Reader
	pending []byte
	raw     []byte
	done    bool
}

func newCopyStream(path string, src io.Reader) *copyStream {
	head := base64.StdEncoding.EncodeToString([]byte(path)) + "\n"
	return &copyStream{src: src, pending: []byte(head), raw: make([]byte, copyLine)}
}

func (s *copyStream) Read(p []byte) (int, error) {
	for len(s.pending) == 0 {
		if s.done {
			return 0, io.EOF
		}
		if err := s.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	return n, nil
}

func (s *copyStream) fill() error {
	n, err := io.ReadFull(s.src, s.raw)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		s.done = true
	} else if err != nil {
		return err
	}
	if n > 0 {
		line := make([]byte, base64.StdEncoding.EncodedLen(n)+1)
		base64.StdEncoding.Encode(line, s.raw[:n])
		line[len(line)-1] = '\n'
		s.pending = line
	}
	return nil
}
