package localcluster

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// process is one control-plane component started by this package. Name, PID and Path are
// saved in the state file, so a later "down" can stop a detached cluster.
type process struct {
	Name string `json:"name"`
	PID  int    `json:"pid"`
	Path string `json:"path"`

	exited chan struct{} // closed when an attached process exits; nil when detached
	err    error
}

func startProcess(name, path string, args []string, logDir string, detach bool) (*process, error) {
	logFile, err := os.OpenFile(filepath.Join(logDir, name+".log"),
		os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	defer logFile.Close()
	cmd := exec.Command(path, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.Dir = logDir
	if err := startCommand(cmd, detach); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{Name: name, PID: cmd.Process.Pid, Path: path}
	if detach {
		// The new session's leader is reaped by init once this program exits; releasing
		// it here keeps Go from holding a handle.
		_ = cmd.Process.Release()
		return p, nil
	}
	p.exited = make(chan struct{})
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// running reports whether the process is still up.
func (p *process) running() bool {
	if p.exited == nil {
		return pidRuns(p.PID, p.Path)
	}
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM, waits up to grace, then SIGKILL, and waits for the process to go.
func (p *process) stop(grace time.Duration) error {
	if err := signalPID(p.PID, p.Path, sigTerm); err != nil {
		return err
	}
	if p.waitGone(grace) {
		return nil
	}
	if err := signalPID(p.PID, p.Path, sigKill); err != nil {
		return err
	}
	if !p.waitGone(5 * time.Second) {
		return fmt.Errorf("stop %s (pid %d): still running after SIGKILL", p.Name, p.PID)
	}
	return nil
}

func (p *process) waitGone(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for p.running() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// freePorts asks the kernel for n distinct free TCP ports on 127.0.0.1. They are released
// before the components bind them, so another program could take one in between; the
// window is short and a failed start names the port in the component's log.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// LogTails returns the last lines of every component log in the cluster directory dir, for
// an error report when a start fails.
func LogTails(dir string, lines int) string {
	logs, _ := filepath.Glob(filepath.Join(dir, logSubdir, "*.log"))
	var b strings.Builder
	for _, path := range logs {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "==> %s <==\n%s\n", path, tail(data, lines))
	}
	return b.String()
}

func tail(data []byte, lines int) []byte {
	data = bytes.TrimRight(data, "\n")
	for i := len(data) - 1; i >= 0; i-- {
		if data[i] == '\n' {
			lines--
			if lines == 0 {
				return data[i+1:]
			}
		}
	}
	return data
}
