package hostops

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"text/template"
)

// Where join keeps its files on the host. The folder is restricted to Administrators and
// SYSTEM before anything is written to it.
const (
	RemoteDir    = `C:\ProgramData\aksee`
	RemoteConfig = RemoteDir + `\aksedge-config.json`
	RemoteRunner = RemoteDir + `\deploy.ps1`
	RemoteLog    = RemoteDir + `\deploy.log`
	RemoteResult = RemoteDir + `\deploy.result`
	// TaskName is the scheduled task that runs New-AksEdgeDeployment detached from WinRM.
	TaskName = "aksee-join"
	// tailMarker starts the lines of the tail script that are not transcript lines.
	tailMarker = "##aksee:"
)

//go:embed scripts/*.ps1
var scriptFS embed.FS

var scripts = template.Must(template.New("").Funcs(template.FuncMap{"q": psQuote}).
	ParseFS(scriptFS, "scripts/*.ps1"))

// scriptData is what the script templates may refer to.
type scriptData struct {
	Dir, Config, Runner, Log, Result, Task, Marker string
	Skip                                           int
	MSI, MSIURL, AddLocal                          string
}

func defaultScriptData() scriptData {
	return scriptData{
		Dir: RemoteDir, Config: RemoteConfig, Runner: RemoteRunner, Log: RemoteLog,
		Result: RemoteResult, Task: TaskName, Marker: tailMarker,
	}
}

// ScriptNames lists every script join can send, for tests that prove the simulated host
// understands all of them.
func ScriptNames() []string {
	var names []string
	for _, t := range scripts.Templates() {
		if strings.HasSuffix(t.Name(), ".ps1") {
			names = append(names, t.Name())
		}
	}
	return names
}

// renderScript renders the named script with d.
func renderScript(name string, d scriptData) (string, error) {
	var buf bytes.Buffer
	if err := scripts.ExecuteTemplate(&buf, name, d); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return buf.String(), nil
}

// mustScript renders a script whose data cannot make it fail.
func mustScript(name string, d scriptData) string {
	s, err := renderScript(name, d)
	if err != nil {
		panic(err)
	}
	return s
}

// psQuote makes s a single-quoted PowerShell string literal, in which nothing expands.
func psQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// AllScripts renders every script join can send, with sample values for the parameterized
// ones, keyed by a name that says which variant it is. Tests use it to prove the simulated
// host understands everything and to keep golden copies.
func AllScripts() map[string]string {
	d := defaultScriptData()
	out := map[string]string{}
	for _, name := range ScriptNames() {
		out[name] = mustScript(name, d)
	}
	push := d
	push.MSI, push.AddLocal = RemoteDir+`\AksEdge-K3s-1.11.247.0.msi`, addLocalWindows
	out["install-msi.ps1"] = mustScript("install-msi.ps1", push)
	push.MSIURL, push.AddLocal = "https://example.test/AksEdge-K3s-1.11.247.0.msi", ""
	out["install-msi-url.ps1"] = mustScript("install-msi.ps1", push)
	tail := d
	tail.Skip = 12
	out["tail.ps1"] = mustScript("tail.ps1", tail)
	return out
}

// addLocalWindows is the ADDLOCAL value that installs the Windows node feature too.
const addLocalWindows = "CoreFeature,WindowsNodeFeature"
