package plugin

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit codes of kubectl-aksee. Every command documents the ones it uses in its Long text.
const (
	// ExitOK means the command did what was asked and every check passed.
	ExitOK = 0
	// ExitFailed means the command failed, or it ran and found problems (validation
	// findings, failed checks).
	ExitFailed = 1
	// ExitUsage means the command line was wrong: an unknown flag, a bad value, a missing
	// argument.
	ExitUsage = 2
	// ExitUnavailable means the command could not do its work at all, for example because
	// the API server could not be reached.
	ExitUnavailable = 3
)

// ExitError carries an exit code. An ExitError whose Err is nil has already been reported to
// the user (a findings table, say) and prints nothing more.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks err as a command-line mistake: it exits with ExitUsage and points at help.
func usageError(err error) error {
	return &ExitError{Code: ExitUsage, Err: err}
}

// usageErrorf is usageError with a formatted message.
func usageErrorf(format string, args ...any) error {
	return usageError(fmt.Errorf(format, args...))
}

// silentExit ends the command with code after it has reported everything itself.
func silentExit(code int) error {
	return &ExitError{Code: code}
}

// ExitCode maps the error a command returned to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var exitErr *ExitError
	if errors.As(err, &exitErr) {
		return exitErr.Code
	}
	return ExitFailed
}

// PrintError writes err to w once, the way kubectl does, with a pointer to the help of cmd
// (the command that ran) for usage errors. It prints nothing for a nil error or a silent exit.
func PrintError(w io.Writer, cmd *cobra.Command, err error) {
	var exitErr *ExitError
	if err == nil || (errors.As(err, &exitErr) && exitErr.Err == nil) {
		return
	}
	fmt.Fprintf(w, "error: %v\n", err)
	if ExitCode(err) == ExitUsage && cmd != nil {
		fmt.Fprintf(w, "See '%s --help' for usage.\n", cmd.CommandPath())
	}
}
