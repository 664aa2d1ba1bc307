package aksedge

import (
	"fmt"
	"strings"
)

// Severities of a Finding.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// File is one config to validate, with the name findings give it.
type File struct {
	Name   string
	Config *Config
}

// Finding is one problem Validate found: the file, the key path, and a message that says what
// is wrong and how to fix it. Line and Column are set only for syntax and type errors, which
// FromParseError turns into findings.
type Finding struct {
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Path     string `json:"path,omitempty"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// String formats f as "file: Path: message", with "file:line:col" for a position and a
// "warning: " before the message of a warning.
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", f.Line, f.Column)
	}
	b.WriteString(": ")
	if f.Path != "" {
		b.WriteString(f.Path + ": ")
	}
	if f.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	b.WriteString(f.Message)
	return b.String()
}

// FromParseError turns a syntax or type error into an error finding.
func FromParseError(pe *ParseError) Finding {
	return Finding{
		File: pe.File, Line: pe.Line, Column: pe.Column, Path: pe.Path,
		Severity: SeverityError, Message: pe.Message,
	}
}

// HasErrors reports whether findings hold an error, or, with strict, any finding at all.
func HasErrors(findings []Finding, strict bool) bool {
	for _, f := range findings {
		if strict || f.Severity == SeverityError {
			return true
		}
	}
	return false
}
