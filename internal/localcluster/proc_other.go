//go:build !linux

package localcluster

import (
	"errors"
	"os"
	"os/exec"
)

// errUnsupported is returned where the local cluster needs Linux process control.
var errUnsupported = errors.New("the local cluster runs on Linux only")

func startCommand(*exec.Cmd, bool) error { return errUnsupported }

func signalPID(int, string, os.Signal) error { return errUnsupported }

func pidRuns(int, string) bool { return false }

var (
	sigTerm os.Signal = os.Interrupt
	sigKill os.Signal = os.Kill
)
