package hostsim

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/kubectl-aksee/kubectl-aksee/internal/winrm"
	"k8s.io/klog/v2"
)

// maxBootstrapScript bounds the script a BootstrapScript command may unpack.
const maxBootstrapScript = 16 << 20

// shell is a WinRS shell: a set of commands belonging to one user.
type shell struct {
	id       string
	owner    string
	mu       sync.Mutex
	commands map[string]*command
}

// command is a process started in a shell.
type command struct {
	id     string
	stdin  *stdinPipe
	out    *output
	cancel context.CancelFunc
}

// shells is the host's table of open shells.
type shells struct {
	mu     sync.Mutex
	byID   map[string]*shell
	execWG sync.WaitGroup
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]))
}

func (t *shells) create(owner string) *shell {
	sh := &shell{id: newID(), owner: owner, commands: map[string]*command{}}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byID == nil {
		t.byID = map[string]*shell{}
	}
	t.byID[sh.id] = sh
	return sh
}

func (t *shells) get(id string) (*shell, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if sh, ok := t.byID[id]; ok {
		return sh, nil
	}
	return nil, faultUnknownShell(id)
}

// remove deletes a shell and terminates its commands.
func (t *shells) remove(id string) error {
	t.mu.Lock()
	sh, ok := t.byID[id]
	delete(t.byID, id)
	t.mu.Unlock()
	if !ok {
		return faultUnknownShell(id)
	}
	sh.terminateAll()
	return nil
}

// removeAll deletes every shell, as a reboot does.
func (t *shells) removeAll() {
	t.mu.Lock()
	all := t.byID
	t.byID = nil
	t.mu.Unlock()
	for _, sh := range all {
		sh.terminateAll()
	}
}

func (sh *shell) command(id string) (*command, error) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if c, ok := sh.commands[id]; ok {
		return c, nil
	}
	return nil, faultUnknownCommand(id)
}

func (sh *shell) terminateAll() {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, c := range sh.commands {
		c.terminate()
	}
}

// start runs line through exec in the background and registers it in the shell.
func (t *shells) start(sh *shell, exec Executor, line string) *command {
	ctx, cancel := context.WithCancel(context.Background())
	c := &command{id: newID(), stdin: &stdinPipe{}, out: &output{}, cancel: cancel}
	sh.mu.Lock()
	sh.commands[c.id] = c
	sh.mu.Unlock()
	t.execWG.Add(1)
	go func() {
		defer t.execWG.Done()
		defer cancel()
		code := c.run(ctx, exec, line)
		c.stdin.close()
		c.out.finish(code)
	}()
	return c
}

func (c *command) run(ctx context.Context, exec Executor, line string) int {
	cmd := Command{Line: line, Script: encodedScript(line)}
	var stdin io.Reader = c.stdin
	stderr := c.out.writer("stderr")
	if cmd.Script == winrm.BootstrapScript {
		script, err := unpackBootstrap(c.stdin)
		if err != nil {
			fmt.Fprintf(stderr, "bootstrap: %v\r\n", err)
			return 1
		}
		cmd.Script, stdin = script, strings.NewReader("")
	}
	klog.V(3).InfoS("Executing command", "commandID", c.id, "scriptBytes", len(cmd.Script))
	return exec.Execute(ctx, cmd, stdin, c.out.writer("stdout"), stderr)
}

// terminate stops the command: its context is cancelled and its streams fail.
func (c *command) terminate() {
	c.cancel()
	c.stdin.close()
	c.out.abort()
}

func unpackBootstrap(stdin io.Reader) (string, error) {
	packed, err := io.ReadAll(io.LimitReader(stdin, maxBootstrapScript))
	if err != nil {
		return "", err
	}
	return winrm.UnpackScript(packed)
}

// encodedScript returns the decoded -EncodedCommand argument of a powershell.exe command
// line, or "" when there is none.
func encodedScript(line string) string {
	fields := strings.Fields(line)
	if len(fields) == 0 || !isPowerShell(fields[0]) {
		return ""
	}
	for i := 1; i+1 < len(fields); i++ {
		if isEncodedCommandFlag(fields[i]) {
			script, err := winrm.DecodeCommand(fields[i+1])
			if err != nil {
				return ""
			}
			return script
		}
	}
	return ""
}

func isPowerShell(exe string) bool {
	exe = strings.ToLower(strings.Trim(exe, `"`))
	exe = exe[strings.LastIndexAny(exe, `\/`)+1:]
	return exe == "powershell" || exe == "powershell.exe"
}

// isEncodedCommandFlag accepts the abbreviations powershell.exe accepts: -e, -ec, -en, ...
func isEncodedCommandFlag(arg string) bool {
	if !strings.HasPrefix(arg, "-") && !strings.HasPrefix(arg, "/") {
		return false
	}
	const full = "encodedcommand"
	name := strings.ToLower(arg[1:])
	return name == "ec" || (name != "" && len(name) <= len(full) && full[:len(name)] == name)
}
