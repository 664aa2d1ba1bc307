package localcluster

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// spawner starts attached children from one goroutine locked to its OS thread. Pdeathsig
// fires when the thread that forked the child exits, not the process, and the Go runtime
// may retire threads (golang/go#27505); a thread that never exits makes the signal mean
// "the test binary died".
var spawner struct {
	once sync.Once
	reqs chan spawnRequest
}

type spawnRequest struct {
	cmd  *exec.Cmd
	done chan error
}

func startCommand(cmd *exec.Cmd, detach bool) error {
	if detach {
		// A new session: the processes outlive the program that started them and a Ctrl-C
		// in its terminal does not reach them.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		return cmd.Start()
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	spawner.once.Do(func() {
		spawner.reqs = make(chan spawnRequest)
		go func() {
			runtime.LockOSThread()
			for r := range spawner.reqs {
				r.done <- r.cmd.Start()
			}
		}()
	})
	done := make(chan error, 1)
	spawner.reqs <- spawnRequest{cmd: cmd, done: done}
	return <-done
}

// signalPID sends sig to pid if pid still runs path, so a recycled pid is never hit.
func signalPID(pid int, path string, sig syscall.Signal) error {
	if !pidRuns(pid, path) {
		return nil
	}
	err := syscall.Kill(pid, sig)
	if err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal process %d: %w", pid, err)
	}
	return nil
}

// pidRuns reports whether pid is a live (not zombie) process whose command is path.
func pidRuns(pid int, path string) bool {
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	argv0, _, _ := bytes.Cut(cmdline, []byte{0})
	if string(argv0) != path {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name: "pid (comm) S ...".
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

const (
	sigTerm = syscall.SIGTERM
	sigKill = syscall.SIGKILL
)
