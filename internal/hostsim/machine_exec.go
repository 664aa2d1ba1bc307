package hostsim

import (
	"context"
	"io"
)

// Execute runs a command the WinRM server received: the PowerShell script it carries, or
// else the command line itself, read as PowerShell (cmd.exe built-ins are not simulated).
func (m *Machine) Execute(ctx context.Context, cmd Command, stdin io.Reader, stdout, stderr io.Writer) int {
	script := cmd.Script
	if script == "" {
		script = cmd.Line
	}
	return m.RunScript(ctx, script, stdin, stdout, stderr)
}

var _ Executor = (*Machine)(nil)
