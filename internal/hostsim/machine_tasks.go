package hostsim

import (
	"io"
	"path"
	"strings"

	"k8s.io/klog/v2"
)

// scheduledTask is a registered task; running it runs its action in the background, outside
// any WinRM shell, as the Task Scheduler does.
type scheduledTask struct {
	name, execute, argument string
	running                 bool
}

func (t *scheduledTask) object() *Object {
	state := "Ready"
	if t.running {
		state = "Running"
	}
	return NewObject("Microsoft.Management.Infrastructure.CimInstance#MSFT_ScheduledTask",
		"TaskName", t.name, "TaskPath", `\`, "State", state)
}

func newScheduledTaskAction(_ *session, c *call) ([]any, error) {
	return []any{NewObject("MSFT_TaskExecAction",
		"Execute", c.str(0, "execute"), "Arguments", c.str(1, "argument"))}, nil
}

func newScheduledTaskPrincipal(_ *session, c *call) ([]any, error) {
	return []any{NewObject("MSFT_TaskPrincipal2", "UserId", c.str(-1, "userid"),
		"LogonType", c.str(-1, "logontype"), "RunLevel", c.str(-1, "runlevel"))}, nil
}

func registerScheduledTask(s *session, c *call) ([]any, error) {
	name := c.str(0, "taskname")
	action, ok := c.arg(-1, "action").(*Object)
	if !ok {
		return nil, throwf("Register-ScheduledTask: the -Action parameter is missing")
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	key := strings.ToLower(name)
	if old, ok := s.m.tasks[key]; ok && !c.flag("force") {
		return nil, throwf("Cannot create a file when that file already exists.")
	} else if ok && old.running {
		return nil, throwf("The task is currently running. (Exception from HRESULT: 0x80041326)")
	}
	exec, _ := action.Get("Execute")
	args, _ := action.Get("Arguments")
	t := &scheduledTask{name: name, execute: toStr(exec), argument: toStr(args)}
	s.m.tasks[key] = t
	return []any{t.object()}, nil
}

func (m *Machine) task(name string) *scheduledTask {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tasks[strings.ToLower(name)]
}

func getScheduledTask(s *session, c *call) ([]any, error) {
	name := c.str(0, "taskname")
	t := s.m.task(name)
	if t == nil {
		return nil, s.nonTerminating(c, "No MSFT_ScheduledTask objects found with property 'TaskName' "+
			"equal to '"+name+"'.")
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return []any{t.object()}, nil
}

func unregisterScheduledTask(s *session, c *call) ([]any, error) {
	name := c.str(0, "taskname")
	s.m.mu.Lock()
	_, ok := s.m.tasks[strings.ToLower(name)]
	delete(s.m.tasks, strings.ToLower(name))
	s.m.mu.Unlock()
	if !ok {
		return nil, s.nonTerminating(c, "No MSFT_ScheduledTask objects found with property 'TaskName' "+
			"equal to '"+name+"'.")
	}
	return nil, nil
}

// startScheduledTask runs the task's action (an executable the host knows, typically
// powershell.exe -File) in the background.
func startScheduledTask(s *session, c *call) ([]any, error) {
	name := c.str(0, "taskname")
	t := s.m.task(name)
	if t == nil {
		return nil, s.nonTerminating(c, "The system cannot find the file specified.")
	}
	exe := strings.ToLower(path.Base(strings.ReplaceAll(t.execute, `\`, "/")))
	native, ok := natives[strings.TrimSuffix(exe, ".exe")]
	if !ok {
		return nil, s.nonTerminating(c, "The system cannot find the file specified.")
	}
	s.m.mu.Lock()
	if t.running {
		s.m.mu.Unlock()
		return nil, nil
	}
	t.running = true
	s.m.mu.Unlock()
	s.m.bg.Add(1)
	go s.m.runTask(t, native)
	return nil, nil
}

func (m *Machine) runTask(t *scheduledTask, native nativeFunc) {
	defer m.bg.Done()
	bg := newSession(m.bgCtx, m, nil, io.Discard, io.Discard)
	code, _ := native(bg, splitCommandLine(t.argument))
	klog.V(2).InfoS("Simulated scheduled task finished", "task", t.name, "exitCode", code)
	m.mu.Lock()
	t.running = false
	m.mu.Unlock()
}

// msiexec installs an AksEdge MSI; the flavour comes from the file name, as Microsoft names
// them (AksEdge-K3s-<version>.msi), else from the file's content.
func msiexec(s *session, args []string) (int, []string) {
	var file, addLocal string
	for i := 0; i < len(args); i++ {
		switch a := strings.ToLower(args[i]); {
		case (a == "/i" || a == "/package") && i+1 < len(args):
			i++
			file = args[i]
		case strings.HasPrefix(a, "addlocal="):
			addLocal = args[i][len("addlocal="):]
		}
	}
	data, ok := s.m.readFile(file)
	if file == "" || !ok {
		return 1619, nil // ERROR_INSTALL_PACKAGE_OPEN_FAILED
	}
	flavour := msiFlavour(path.Base(strings.ReplaceAll(file, `\`, "/")), data)
	if flavour == "" {
		return 1620, nil // ERROR_INSTALL_PACKAGE_INVALID
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if s.m.flavour != "" && s.m.flavour != flavour {
		return 1603, nil // ERROR_INSTALL_FAILURE: the other flavour is installed
	}
	s.m.flavour = flavour
	klog.V(2).InfoS("Simulated MSI installed", "flavour", flavour, "addLocal", addLocal)
	return 0, nil
}

func msiFlavour(name string, data []byte) string {
	for _, s := range []string{strings.ToLower(name), strings.ToLower(string(data[:min(len(data), 4096)]))} {
		switch {
		case strings.Contains(s, "k3s"):
			return "k3s"
		case strings.Contains(s, "k8s"):
			return "k8s"
		}
	}
	return ""
}
