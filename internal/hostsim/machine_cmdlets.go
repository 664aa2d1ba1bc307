package hostsim

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"unicode/utf16"
)

// windowsCmdlets are the cmdlets of Windows modules that join's scripts call.
var windowsCmdlets map[string]cmdlet

func init() {
	windowsCmdlets = map[string]cmdlet{
		"get-itemproperty":           getItemProperty,
		"get-module":                 getModule,
		"import-module":              importModule,
		"get-windowsoptionalfeature": getWindowsOptionalFeature,
		"get-netadapter":             getNetAdapter,
		"get-psdrive":                getPSDrive,
		"get-ciminstance":            getCimInstance,
		"new-object":                 newObject,
		"start-process":              startProcess,
		"invoke-webrequest":          invokeWebRequest,
		"new-scheduledtaskaction":    newScheduledTaskAction,
		"new-scheduledtaskprincipal": newScheduledTaskPrincipal,
		"register-scheduledtask":     registerScheduledTask,
		"start-scheduledtask":        startScheduledTask,
		"get-scheduledtask":          getScheduledTask,
		"unregister-scheduledtask":   unregisterScheduledTask,
	}
}

// natives are the executables of the simulated host. They are set in init because some of
// them run scripts, which refer back to this table.
var natives map[string]nativeFunc

func init() {
	natives = map[string]nativeFunc{
		"icacls":     icacls,
		"msiexec":    msiexec,
		"hostname":   func(s *session, _ []string) (int, []string) { return 0, []string{s.m.computerName()} },
		"whoami":     whoami,
		"powershell": powershellExe,
	}
}

func (s *session) lookupCmdlet(name string) (cmdlet, bool) {
	if f, ok := coreCmdlets[name]; ok {
		return f, true
	}
	if f, ok := windowsCmdlets[name]; ok {
		return f, true
	}
	if f, ok := aksedgeCmdlets[name]; ok && s.m.Flavour() != "" {
		return f, true
	}
	return nil, false
}

// productName is the uninstall entry's DisplayName of the AKS EE MSI (inferred).
func productName(flavour string) string {
	return "AKS Edge Essentials - " + flavourTitle(flavour)
}

// flavourTitle spells a flavour as AKS EE does: K3s, K8s.
func flavourTitle(flavour string) string {
	if flavour == "" {
		return ""
	}
	return strings.ToUpper(flavour[:1]) + flavour[1:]
}

func getItemProperty(s *session, c *call) ([]any, error) {
	p := strings.ToLower(c.str(0, "path", "literalpath"))
	if !strings.Contains(p, `\currentversion\uninstall`) {
		return nil, s.nonTerminating(c, "Cannot find path '"+c.str(0, "path")+"' because it does not exist.")
	}
	out := []any{NewObject("Microsoft.PowerShell.Core.Registry",
		"DisplayName", "Microsoft Edge", "DisplayVersion", "131.0.2903.70")}
	if f := s.m.Flavour(); f != "" {
		out = append(out, NewObject("Microsoft.PowerShell.Core.Registry",
			"DisplayName", productName(f), "DisplayVersion", "1.11.247.0", "Publisher", "Microsoft"))
	}
	return out, nil
}

func getModule(s *session, c *call) ([]any, error) {
	name := c.str(0, "name")
	if !strings.EqualFold(name, "AksEdge") || s.m.Flavour() == "" {
		return nil, nil
	}
	return []any{NewObject("System.Management.Automation.PSModuleInfo",
		"Name", "AksEdge", "Version", "1.11.247.0")}, nil
}

func importModule(s *session, c *call) ([]any, error) {
	name := c.str(0, "name")
	if strings.EqualFold(name, "AksEdge") && s.m.Flavour() == "" {
		return nil, s.nonTerminating(c, "The specified module 'AksEdge' was not loaded because no "+
			"valid module file was found in any module directory.")
	}
	return nil, nil
}

func getWindowsOptionalFeature(s *session, c *call) ([]any, error) {
	state := "Disabled"
	s.m.mu.Lock()
	if s.m.hostFeatures {
		state = "Enabled"
	}
	s.m.mu.Unlock()
	return []any{NewObject("Microsoft.Dism.Commands.AdvancedFeatureObject",
		"FeatureName", c.str(-1, "featurename"), "State", state)}, nil
}

func getNetAdapter(s *session, _ *call) ([]any, error) {
	var out []any
	for i, a := range s.m.opts.Adapters {
		out = append(out, NewObject("Microsoft.Management.Infrastructure.CimInstance",
			"Name", a.Name, "InterfaceDescription", "Microsoft Hyper-V Network Adapter", "ifIndex",
			int64(4+i), "Status", a.Status, "MacAddress", fmt.Sprintf("00-15-5D-00-00-%02X", i+1)))
	}
	return out, nil
}

func getPSDrive(s *session, _ *call) ([]any, error) {
	return []any{NewObject("System.Management.Automation.PSDriveInfo", "Name", "C",
		"Free", int64(s.m.opts.FreeDiskGB)<<30, "Used", int64(60)<<30)}, nil
}

func getCimInstance(s *session, c *call) ([]any, error) {
	switch strings.ToLower(c.str(0, "classname")) {
	case "win32_operatingsystem":
		return []any{NewObject("Win32_OperatingSystem", "Caption", "Microsoft Windows Server 2022 Datacenter",
			"FreePhysicalMemory", int64(s.m.opts.FreeMemoryMB)*1024,
			"TotalVisibleMemorySize", int64(s.m.opts.FreeMemoryMB+4096)*1024)}, nil
	case "win32_computersystem":
		return []any{NewObject("Win32_ComputerSystem", "Name", s.m.computerName(),
			"TotalPhysicalMemory", int64(s.m.opts.FreeMemoryMB+4096)<<20)}, nil
	case "win32_processor":
		return []any{NewObject("Win32_Processor",
			"NumberOfLogicalProcessors", int64(s.m.opts.LogicalProcessors))}, nil
	}
	return nil, s.nonTerminating(c, "Invalid class")
}

func newObject(s *session, c *call) ([]any, error) {
	typeName := strings.TrimPrefix(strings.ToLower(c.str(0, "typename")), "system.")
	if typeName == "security.principal.windowsprincipal" {
		elevated := !s.m.opts.NotElevated
		o := NewObject("System.Security.Principal.WindowsPrincipal")
		o.Method("IsInRole", func(args []any) (any, error) {
			return elevated && strings.EqualFold(toStr(argAt(args, 0)), "Administrator"), nil
		})
		return []any{o}, nil
	}
	return nil, throwf("Cannot find type [%s]: verify that the assembly containing this type is loaded.",
		c.str(0, "typename"))
}

func startProcess(s *session, c *call) ([]any, error) {
	file := strings.ToLower(path.Base(strings.ReplaceAll(c.str(0, "filepath"), `\`, "/")))
	native, ok := natives[strings.TrimSuffix(file, ".exe")]
	if !ok {
		return nil, s.nonTerminating(c, "This command cannot be run because the file is not found.")
	}
	var args []string
	for _, a := range c.strs(1, "argumentlist") {
		args = append(args, splitCommandLine(a)...)
	}
	code, lines := native(s, args)
	for _, l := range lines {
		s.writeHost(l)
	}
	if !c.flag("passthru") {
		return nil, nil
	}
	return []any{NewObject("System.Diagnostics.Process", "ExitCode", int64(code), "HasExited", true)}, nil
}

func invokeWebRequest(s *session, c *call) ([]any, error) {
	uri, out := c.str(0, "uri"), c.str(-1, "outfile")
	req, err := http.NewRequestWithContext(s.ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, s.nonTerminating(c, err.Error())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, s.nonTerminating(c, "Unable to connect to the remote server")
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, s.nonTerminating(c, fmt.Sprintf("The remote server returned an error: (%d).",
			resp.StatusCode))
	}
	if out == "" {
		return []any{NewObject("Microsoft.PowerShell.Commands.HtmlWebResponseObject",
			"StatusCode", int64(resp.StatusCode), "Content", string(data))}, nil
	}
	if err := s.m.writeFile(out, data); err != nil {
		return nil, s.nonTerminating(c, err.Error())
	}
	return nil, nil
}

func icacls(s *session, args []string) (int, []string) {
	if len(args) == 0 {
		return 87, []string{"The parameter is incorrect."}
	}
	var grants []string
	for i := 1; i < len(args); i++ {
		if strings.HasPrefix(strings.ToLower(args[i]), "/grant") && i+1 < len(args) {
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "/") {
				i++
				grants = append(grants, args[i])
			}
		}
	}
	if !s.m.setACL(args[0], grants) {
		return 2, []string{args[0] + ": The system cannot find the file specified.",
			"Successfully processed 0 files; Failed processing 1 files"}
	}
	return 0, []string{"processed file: " + args[0],
		"Successfully processed 1 files; Failed processing 0 files"}
}

func whoami(s *session, _ []string) (int, []string) {
	return 0, []string{strings.ToLower(s.m.computerName() + `\` + s.m.opts.Username)}
}

// powershellExe runs "powershell.exe [-NoProfile ...] -File F" or "-EncodedCommand B64".
func powershellExe(s *session, args []string) (int, []string) {
	for i := 0; i+1 < len(args); i++ {
		switch strings.ToLower(args[i]) {
		case "-file":
			data, ok := s.m.readFile(args[i+1])
			if !ok {
				return 1, []string{"The argument '" + args[i+1] + "' to the -File parameter does not exist."}
			}
			return s.m.RunScript(s.ctx, string(data), nil, s.out, s.errw), nil
		case "-encodedcommand", "-enc", "-e":
			script, err := decodeUTF16Base64(args[i+1])
			if err != nil {
				return 1, []string{err.Error()}
			}
			return s.m.RunScript(s.ctx, script, s.stdin, s.out, s.errw), nil
		}
	}
	return 1, []string{"powershell.exe: only -File and -EncodedCommand are simulated"}
}

// decodeUTF16Base64 decodes an -EncodedCommand value: base64 of UTF-16LE text.
func decodeUTF16Base64(b64 string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", fmt.Errorf("decode -EncodedCommand: %w", err)
	}
	u := make([]uint16, len(raw)/2)
	for i := range u {
		u[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	return string(utf16.Decode(u)), nil
}
