package winrm_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-aksee/kubectl-aksee/internal/winrm"
)

// notifyWriter records writes and calls onWrite after each.
type notifyWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	onWrite func(string)
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.buf.Write(p)
	s := w.buf.String()
	w.mu.Unlock()
	if w.onWrite != nil {
		w.onWrite(s)
	}
	return len(p), nil
}

func TestOutputIsStreamedAsItArrives(t *testing.T) {
	exec := newScriptExecutor(t)
	srv := startHost(t, exec, nil)
	c := clientFor(t, srv, nil)
	var once sync.Once
	// The command only writes its second line after the client has received the first, so
	// the test passes only if output is delivered while the command runs.
	stdout := &notifyWriter{onWrite: func(s string) {
		if strings.Contains(s, "first") {
			once.Do(func() { close(exec.gate("next")) })
		}
	}}
	code, err := c.RunPowerShell(testContext(t), "out first\ngate next\nout second\nexit 7", stdout, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{7, "first\nsecond\n"}, []any{code, stdout.buf.String()}); diff != "" {
		t.Errorf("code, stdout (-want +got):\n%s", diff)
	}
}

func TestLargeOutputArrivesWholeAndInOrder(t *testing.T) {
	const size = 5<<20 + 3 // more than the host buffers and than one Receive carries
	c := clientFor(t, startHost(t, newScriptExecutor(t), nil), nil)
	var out bytes.Buffer
	code, err := c.RunPowerShell(testContext(t), "bulk "+strconv.Itoa(size), &out, nil)
	if err != nil || code != 0 {
		t.Fatalf("code %d, err %v", code, err)
	}
	if !bytes.Equal(out.Bytes(), bulkPattern(size)) {
		t.Errorf("received %d bytes that differ from the %d written", out.Len(), size)
	}
}

func TestReceiveSurvivesOperationTimeouts(t *testing.T) {
	exec := newScriptExecutor(t)
	srv := startHost(t, exec, nil)
	c := clientFor(t, srv, func(c *winrm.Config) { c.OperationTimeout = 200 * time.Millisecond })
	go func() {
		time.Sleep(time.Second) // several OperationTimeouts without output
		close(exec.gate("late"))
	}()
	var out bytes.Buffer
	code, err := c.RunPowerShell(testContext(t), "gate late\nout done", &out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 || out.String() != "done\n" {
		t.Errorf("code %d, stdout %q; want 0, %q", code, out.String(), "done\n")
	}
}

func TestCancelTerminatesTheCommand(t *testing.T) {
	exec := newScriptExecutor(t)
	srv := startHost(t, exec, nil)
	c := clientFor(t, srv, func(c *winrm.Config) { c.OperationTimeout = 30 * time.Second })
	ctx, cancel := context.WithCancel(testContext(t))
	stdout := &notifyWriter{onWrite: func(string) { cancel() }}
	start := time.Now()
	_, err := c.RunPowerShell(ctx, "out started\nblock", stdout, nil)
	if !errors.Is(err, context.Canceled) || errors.Is(err, winrm.ErrUnreachable) {
		t.Fatalf("error %v, want context.Canceled and no error class", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("cancellation took %s", elapsed)
	}
	select {
	case <-exec.terminated:
	case <-time.After(5 * time.Second):
		t.Fatal("the command on the host was not terminated")
	}
}

func TestOutageIsRetriedUntilTheHostIsBack(t *testing.T) {
	srv := startHost(t, newScriptExecutor(t), nil)
	c := clientFor(t, srv, nil)
	if _, err := c.RunPowerShell(testContext(t), "out warm", nil, nil); err != nil {
		t.Fatal(err)
	}
	srv.Outage(1500 * time.Millisecond)
	start := time.Now()
	var out bytes.Buffer
	if _, err := c.RunPowerShell(testContext(t), "out back", &out, nil); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < time.Second {
		t.Errorf("the command ran %s into a 1.5s outage", elapsed)
	}
	if out.String() != "back\n" {
		t.Errorf("stdout %q, want %q", out.String(), "back\n")
	}
}

func TestOutageDuringACommandIsUnreachable(t *testing.T) {
	exec := newScriptExecutor(t)
	srv := startHost(t, exec, nil)
	c := clientFor(t, srv, nil)
	stdout := &notifyWriter{onWrite: func(string) { go srv.Outage(time.Second) }}
	_, err := c.RunPowerShell(testContext(t), "out started\nblock", stdout, nil)
	if !errors.Is(err, winrm.ErrUnreachable) {
		t.Fatalf("error %v, want ErrUnreachable", err)
	}
}

func TestLongScriptsGoThroughTheBootstrap(t *testing.T) {
	exec := newScriptExecutor(t)
	srv := startHost(t, exec, nil)
	c := clientFor(t, srv, nil)
	var b strings.Builder
	for i := 0; b.Len() < 40000; i++ {
		b.WriteString("out line of a long script that no command line could carry\n")
	}
	b.WriteString("exit 4")
	script := b.String()
	var out bytes.Buffer
	code, err := c.RunPowerShell(testContext(t), script, &out, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := exec.lastCommand()
	if got.Script != script {
		t.Errorf("the host ran a %d-byte script, want the %d-byte original", len(got.Script), len(script))
	}
	if len(got.Line) > winrm.MaxCommandLine {
		t.Errorf("command line is %d characters, over cmd.exe's %d", len(got.Line), winrm.MaxCommandLine)
	}
	if code != 4 || strings.Count(out.String(), "\n") != strings.Count(script, "out ") {
		t.Errorf("code %d and %d output lines", code, strings.Count(out.String(), "\n"))
	}
}

func TestShortScriptsAreSentDirectly(t *testing.T) {
	script := strings.Repeat("x", 3000)
	line, stdin := winrm.CommandLine(script)
	if stdin != nil || len(line) > winrm.MaxCommandLine {
		t.Fatalf("a %d-byte script used the bootstrap or made a %d-character line", len(script), len(line))
	}
	line, stdin = winrm.CommandLine(script + strings.Repeat("x", 100))
	if stdin == nil {
		t.Fatalf("a %d-character line did not use the bootstrap", len(line))
	}
	unpacked, err := winrm.UnpackScript(stdin)
	if err != nil || unpacked != script+strings.Repeat("x", 100) {
		t.Errorf("unpacked script differs (err %v)", err)
	}
}
