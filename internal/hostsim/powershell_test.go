package hostsim

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func runPS(t *testing.T, m *Machine, script string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := m.RunScript(context.Background(), script, strings.NewReader(""), &out, &errOut)
	return strings.ReplaceAll(out.String(), "\r\n", "\n"), errOut.String(), code
}

func TestInterpreter(t *testing.T) {
	tests := []struct {
		name, script, want string
		code               int
	}{
		{"strings concatenate and booleans print as True", `'a=' + $true`, "a=True\n", 0},
		{"double-quoted strings expand variables", "$x = 'y'; \"v=$x $($x + 'z')\"", "v=y yz\n", 0},
		{"doubled single quotes stand for one", `'it''s'`, "it's\n", 0},
		{"arithmetic with size suffixes", `[math]::Floor(3GB / 1GB) + 1`, "4\n", 0},
		{"if, elseif and else", "$n = 2\nif ($n -eq 1) { 'one' } elseif ($n -eq 2) { 'two' } else { 'many' }", "two\n", 0},
		{"foreach over an array", "foreach ($i in @(1, 2)) {\n    'i' + $i\n}", "i1\ni2\n", 0},
		{"pipeline with Where-Object and Select-Object",
			"@(1, 2, 3, 4) | Where-Object { $_ -gt 1 } | Select-Object -Skip 1 -First 2", "3\n4\n", 0},
		{"exit sets the exit code", "'before'\nexit 3\n'after'", "before\n", 3},
		{"try, catch and finally", "try { throw 'boom' } catch { 'caught ' + $_.Exception.Message } finally { 'done' }",
			"caught boom\ndone\n", 0},
		{"an uncaught throw exits with 1", "throw 'bad'", "", 1},
		{"-like and -match are case-insensitive", `('ABC' -like 'a*') -and ('xyz' -match '^X')`, "True\n", 0},
		{"-not and -ne", `-not ('a' -ne 'A')`, "True\n", 0},
		{"hash tables and member access", "$h = @{ Name = 'n'; Count = 2 }\n$h.name + $h.Count", "n2\n", 0},
		{"casts", `[string][bool]'x'`, "True\n", 0},
		{"ConvertFrom-Json keeps case-insensitive keys",
			`('{"Join":{"ClusterId":"c1"}}' | ConvertFrom-Json).join.clusterid`, "c1\n", 0},
		{"ConvertTo-Json compresses", `@{ A = 1; B = @('x') } | ConvertTo-Json -Compress`, `{"A":1,"B":["x"]}` + "\n", 0},
		{"string methods", `'  x  '.Trim().ToUpper()`, "X\n", 0},
		{"here-strings are verbatim", "$s = @'\nline $x\n'@\n$s", "line $x\n", 0},
		{"line continuation with a pipe", "@('b', 'a') |\n    Select-Object -Last 1", "a\n", 0},
		{"ErrorAction SilentlyContinue hides an error",
			`Get-Content -Path C:\none -ErrorAction SilentlyContinue; 'ok'`, "ok\n", 0},
		{"ErrorActionPreference Stop makes errors terminating",
			"$ErrorActionPreference = 'Stop'\nGet-Content -Path C:\\none\n'not reached'", "", 1},
		{"unknown commands are not recognized", "Get-Unknown", "", 1},
		{"environment variables", `$env:COMPUTERNAME`, "AKSEE-WORKER02\n", 0},
		{"files round trip", "New-Item -ItemType Directory -Path C:\\d -Force | Out-Null\n" +
			"Set-Content -Path C:\\d\\f -Value 'a', 'b'\n(Get-Content -Path C:\\d\\f).Count\n" +
			"Test-Path -Path C:\\d\\f\nRemove-Item -Path C:\\d\\f\nTest-Path -Path C:\\d\\f",
			"2\nTrue\nFalse\n", 0},
		{"native commands set LASTEXITCODE", "& icacls.exe C:\\missing /grant:r 'x:F' | Out-Null\n$LASTEXITCODE", "2\n", 0},
		{"integer division stays integral only when exact", `(6 / 2), (7 / 2), (7 % 3)`, "3\n3.5\n1\n", 0},
		{"while with an assignment in the condition", "$i = 0\nwhile (($i = $i + 1) -lt 3) { 'w' + $i }", "w1\nw2\n", 0},
		{"base64 and UTF-8", `[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('aGk='))`, "hi\n", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMachine(MachineOptions{Flavour: "k3s"})
			out, errOut, code := runPS(t, m, tc.script)
			if diff := cmp.Diff(tc.want, out); diff != "" {
				t.Errorf("output (-want +got):\n%s\nstderr: %s", diff, errOut)
			}
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr: %s", code, tc.code, errOut)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, script := range []string{"if ($x) { 'a'", "'unterminated", "$x = (1 + ", "@{ a = 1"} {
		if _, err := parseScript(script); err == nil {
			t.Errorf("parseScript(%q) succeeded, want a parse error", script)
		}
	}
}
