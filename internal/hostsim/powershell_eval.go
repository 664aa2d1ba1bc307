package hostsim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// session is one run of a script: its variables and streams. Machine state is shared.
type session struct {
	ctx        context.Context
	m          *Machine
	vars       map[string]any
	env        map[string]string
	out, errw  io.Writer
	stdin      io.Reader
	transcript string // path of the active transcript, "" when none
	console    *bufio.Reader
}

// psError is a terminating error: it unwinds to the nearest catch, or ends the script.
type psError struct {
	msg string
}

func (e *psError) Error() string { return e.msg }

// exitError is the exit statement.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func throwf(format string, args ...any) error {
	return &psError{msg: fmt.Sprintf(format, args...)}
}

func newSession(ctx context.Context, m *Machine, stdin io.Reader, out, errw io.Writer) *session {
	s := &session{
		ctx: ctx, m: m, stdin: stdin, out: out, errw: errw,
		vars: map[string]any{
			"true": true, "false": false, "null": nil, "erroractionpreference": "Continue",
			"lastexitcode": int64(0), "?": true,
		},
		env: m.environment(),
	}
	return s
}

// run executes a parsed script and returns its exit code, as powershell.exe would.
func (s *session) run(stmts []stmt) int {
	err := s.execStmts(stmts, s.emit)
	var exit *exitError
	switch {
	case errors.As(err, &exit):
		return exit.code
	case err != nil:
		s.writeErr(err.Error())
		return 1
	}
	return 0
}

// emit writes a value that reached the top level to the output, the way the console host
// formats it.
func (s *session) emit(v any) {
	for _, line := range formatValue(v) {
		s.writeHost(line)
	}
}

// writeHost writes one line to the output and the transcript.
func (s *session) writeHost(line string) {
	_, _ = fmt.Fprintln(s.out, line)
	if s.transcript != "" {
		s.m.appendFile(s.transcript, line+"\r\n")
	}
}

// writeErr writes one line to the error stream and the transcript.
func (s *session) writeErr(line string) {
	_, _ = fmt.Fprintln(s.errw, line)
	if s.transcript != "" {
		s.m.appendFile(s.transcript, line+"\r\n")
	}
}

func formatValue(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		var lines []string
		for _, e := range v {
			lines = append(lines, formatValue(e)...)
		}
		return lines
	case *Object:
		if len(v.keys) == 0 || v.str != "" {
			return []string{v.String()}
		}
		lines := []string{""}
		for _, k := range v.keys {
			lines = append(lines, fmt.Sprintf("%-16s : %s", k, toStr(v.props[strings.ToLower(k)])))
		}
		return append(lines, "")
	}
	return strings.Split(toStr(v), "\n")
}

func (s *session) execStmts(stmts []stmt, emit func(any)) error {
	for _, st := range stmts {
		if err := s.ctx.Err(); err != nil {
			return &psError{msg: "The pipeline has been stopped."}
		}
		if err := s.execStmt(st, emit); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) execStmt(st stmt, emit func(any)) error {
	switch st := st.(type) {
	case *pipelineStmt:
		out, err := s.pipeline(st)
		for _, v := range out {
			emit(v)
		}
		return err
	case *assignStmt:
		v, err := s.valueOf(st.value)
		if err != nil {
			return err
		}
		return s.assign(st.target, v)
	case *ifStmt:
		return s.execIf(st, emit)
	case *foreachStmt:
		return s.execForeach(st, emit)
	case *tryStmt:
		return s.execTry(st, emit)
	case *whileStmt:
		return s.execWhile(st, emit)
	case *exitStmt:
		return s.execExit(st)
	case *throwStmt:
		v, err := s.evalOpt(st.value)
		if err != nil {
			return err
		}
		if rec, ok := v.(*Object); ok && rec.TypeName == errorRecordType {
			return &psError{msg: rec.String()}
		}
		if v == nil {
			v = "ScriptHalted"
		}
		return &psError{msg: toStr(v)}
	case *returnStmt:
		return s.execReturn(st, emit)
	}
	return fmt.Errorf("unknown statement %T", st)
}

func (s *session) evalOpt(x expr) (any, error) {
	if x == nil {
		return nil, nil
	}
	return s.eval(x)
}

func (s *session) execIf(st *ifStmt, emit func(any)) error {
	for i, cond := range st.conds {
		out, err := s.pipeline(cond)
		if err != nil {
			return err
		}
		if truthy(unwrap(out)) {
			return s.execStmts(st.bodies[i], emit)
		}
	}
	return s.execStmts(st.orElse, emit)
}

func (s *session) execForeach(st *foreachStmt, emit func(any)) error {
	out, err := s.pipeline(st.coll)
	if err != nil {
		return err
	}
	for _, item := range enumerate(unwrap(out)) {
		s.vars[st.name] = item
		if err := s.execStmts(st.body, emit); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) execWhile(st *whileStmt, emit func(any)) error {
	for {
		out, err := s.pipeline(st.cond)
		if err != nil || !truthy(unwrap(out)) {
			return err
		}
		if err := s.execStmts(st.body, emit); err != nil {
			return err
		}
	}
}

func (s *session) execTry(st *tryStmt, emit func(any)) error {
	err := s.execStmts(st.body, emit)
	var pe *psError
	if st.hasCatch && errors.As(err, &pe) {
		s.vars["_"] = errorRecord(pe.msg)
		err = s.execStmts(st.catchBody, emit)
	}
	if ferr := s.execStmts(st.finallyBody, emit); ferr != nil {
		return ferr
	}
	return err
}

func (s *session) execExit(st *exitStmt) error {
	v, err := s.evalOpt(st.value)
	if err != nil {
		return err
	}
	code, err := toInt(v)
	if err != nil {
		return err
	}
	return &exitError{code: int(code)}
}

// returnSignal ends a script block early; at the top level it ends the script with 0.
func (s *session) execReturn(st *returnStmt, emit func(any)) error {
	if st.value != nil {
		out, err := s.pipeline(st.value)
		if err != nil {
			return err
		}
		for _, v := range out {
			emit(v)
		}
	}
	return &exitError{code: 0}
}

const errorRecordType = "System.Management.Automation.ErrorRecord"

func errorRecord(msg string) *Object {
	rec := NewObject(errorRecordType, "Exception", NewObject("System.Exception", "Message", msg))
	rec.str = msg
	return rec
}

func (s *session) assign(target expr, v any) error {
	switch t := target.(type) {
	case *varRef:
		if name, ok := strings.CutPrefix(t.name, "env:"); ok {
			s.env[name] = toStr(v)
			return nil
		}
		s.vars[t.name] = v
		return nil
	case *memberExpr:
		x, err := s.eval(t.x)
		if err != nil {
			return err
		}
		o, ok := x.(*Object)
		if !ok {
			return throwf("The property '%s' cannot be found on this object.", t.name)
		}
		o.Set(t.name, v)
		return nil
	}
	return throwf("The assignment expression is not valid.")
}

// pipeline runs a pipeline to completion and returns what it wrote.
func (s *session) pipeline(pl *pipelineStmt) ([]any, error) {
	var items []any
	for i, el := range pl.elems {
		if el.expr != nil {
			v, err := s.eval(el.expr)
			if err != nil {
				return nil, err
			}
			items = enumerate(v)
			continue
		}
		out, err := s.invoke(el.cmd, items, i > 0)
		if err != nil {
			return nil, err
		}
		items = out
	}
	return items, nil
}

// valueOf evaluates a pipeline for assignment: a lone expression keeps its value (an array
// stays an array), a command pipeline gives its unwrapped output.
func (s *session) valueOf(pl *pipelineStmt) (any, error) {
	if len(pl.elems) == 1 && pl.elems[0].expr != nil {
		return s.eval(pl.elems[0].expr)
	}
	out, err := s.pipeline(pl)
	return unwrap(out), err
}
