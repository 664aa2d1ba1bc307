package hostsim

import (
	"fmt"
	"strings"
	"unicode"
)

// parser is a recursive-descent parser working directly on the source text, since PowerShell
// tokenizes differently in command mode (barewords are strings, -Name is a parameter) and in
// expression mode (-eq is an operator).
type parser struct {
	src  []rune
	pos  int
	line int
}

// parseScript parses a whole script.
func parseScript(src string) (stmts []stmt, err error) {
	p := &parser{src: []rune(strings.ReplaceAll(src, "\r\n", "\n")), line: 1}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(parseError)
			if !ok {
				panic(r)
			}
			err = pe
		}
	}()
	stmts = p.statements(eofRune)
	return stmts, nil
}

// parseError is raised (as a panic, caught by parseScript) on a syntax error.
type parseError struct {
	line int
	msg  string
}

func (e parseError) Error() string {
	return fmt.Sprintf("At line:%d: %s", e.line, e.msg)
}

const eofRune = rune(-1)

func (p *parser) fail(format string, args ...any) {
	panic(parseError{line: p.lineAt(p.pos), msg: fmt.Sprintf(format, args...)})
}

func (p *parser) lineAt(pos int) int {
	n := 1
	for i := 0; i < pos && i < len(p.src); i++ {
		if p.src[i] == '\n' {
			n++
		}
	}
	return n
}

func (p *parser) peek() rune { return p.peekAt(0) }

func (p *parser) peekAt(n int) rune {
	if p.pos+n >= len(p.src) {
		return eofRune
	}
	return p.src[p.pos+n]
}

func (p *parser) next() rune {
	r := p.peek()
	p.pos++
	return r
}

func (p *parser) expect(r rune) {
	if p.peek() != r {
		p.fail("expected %q, found %q", string(r), p.describe())
	}
	p.pos++
}

func (p *parser) describe() string {
	if p.peek() == eofRune {
		return "end of script"
	}
	end := min(p.pos+20, len(p.src))
	return string(p.src[p.pos:end])
}

// skipSpace skips blanks, comments and line continuations, but not newlines.
func (p *parser) skipSpace() {
	for {
		switch r := p.peek(); {
		case r == ' ' || r == '\t' || r == '\r':
			p.pos++
		case r == '`' && p.peekAt(1) == '\n':
			p.pos += 2
		case r == '<' && p.peekAt(1) == '#':
			p.skipBlockComment()
		case r == '#':
			for p.peek() != '\n' && p.peek() != eofRune {
				p.pos++
			}
		default:
			return
		}
	}
}

func (p *parser) skipBlockComment() {
	for p.peek() != eofRune && (p.peek() != '#' || p.peekAt(1) != '>') {
		p.pos++
	}
	p.pos += 2
}

// skipSpaceNL skips blanks, comments and newlines.
func (p *parser) skipSpaceNL() {
	for {
		p.skipSpace()
		if p.peek() != '\n' {
			return
		}
		p.pos++
	}
}

// statements parses statements up to (not including) end: eofRune, ')' or '}'.
func (p *parser) statements(end rune) []stmt {
	var out []stmt
	for {
		for p.skipSpaceNL(); p.peek() == ';'; p.skipSpaceNL() {
			p.pos++
		}
		if p.peek() == end {
			return out
		}
		if p.peek() == eofRune {
			p.fail("missing closing %q", string(end))
		}
		out = append(out, p.statement())
		p.skipSpace()
		switch p.peek() {
		case '\n', ';':
			p.pos++
		case end:
		default:
			p.fail("unexpected %q", p.describe())
		}
	}
}

func (p *parser) block() []stmt {
	p.skipSpaceNL()
	p.expect('{')
	body := p.statements('}')
	p.expect('}')
	return body
}

func (p *parser) statement() stmt {
	switch kw := strings.ToLower(p.peekWord()); kw {
	case "if":
		return p.ifStatement()
	case "foreach":
		return p.foreachStatement()
	case "try":
		return p.tryStatement()
	case "while":
		return p.whileStatement()
	case "exit", "throw", "return":
		p.pos += len(kw)
		p.skipSpace()
		var value *pipelineStmt
		if !p.atEndOfStatement() {
			value = p.pipeline()
		}
		return p.flowStatement(kw, value)
	}
	if p.peek() == '$' {
		start := p.pos
		target := p.postfix(p.variable())
		p.skipSpace()
		if p.peek() == '=' && p.peekAt(1) != '=' {
			p.pos++
			p.skipSpaceNL()
			return &assignStmt{target: target, value: p.pipeline()}
		}
		p.pos = start
	}
	return p.pipeline()
}

func (p *parser) flowStatement(kw string, value *pipelineStmt) stmt {
	var x expr
	if value != nil {
		x = &parenExpr{p: value}
	}
	switch kw {
	case "exit":
		return &exitStmt{value: x}
	case "throw":
		return &throwStmt{value: x}
	}
	return &returnStmt{value: value}
}

func (p *parser) atEndOfStatement() bool {
	r := p.peek()
	return r == '\n' || r == ';' || r == '}' || r == ')' || r == eofRune
}

// peekWord returns the identifier-like word at the cursor, if the character after it cannot
// continue a command name.
func (p *parser) peekWord() string {
	i := p.pos
	for i < len(p.src) && (unicode.IsLetter(p.src[i])) {
		i++
	}
	if i < len(p.src) && (p.src[i] == '-' || p.src[i] == '.' || unicode.IsDigit(p.src[i])) {
		return ""
	}
	return string(p.src[p.pos:i])
}

func (p *parser) ifStatement() stmt {
	s := &ifStmt{}
	p.pos += 2
	for {
		p.skipSpace()
		p.expect('(')
		p.skipSpaceNL()
		s.conds = append(s.conds, p.pipeline())
		p.skipSpaceNL()
		p.expect(')')
		s.bodies = append(s.bodies, p.block())
		save := p.pos
		p.skipSpaceNL()
		switch strings.ToLower(p.peekWord()) {
		case "elseif":
			p.pos += 6
			continue
		case "else":
			p.pos += 4
			s.orElse = p.block()
			return s
		}
		p.pos = save
		return s
	}
}

func (p *parser) foreachStatement() stmt {
	p.pos += 7
	p.skipSpace()
	p.expect('(')
	p.skipSpace()
	v, ok := p.variable().(*varRef)
	if !ok {
		p.fail("foreach needs a variable")
	}
	p.skipSpace()
	if strings.ToLower(p.peekWord()) != "in" {
		p.fail("expected 'in'")
	}
	p.pos += 2
	p.skipSpace()
	coll := p.pipeline()
	p.skipSpace()
	p.expect(')')
	return &foreachStmt{name: v.name, coll: coll, body: p.block()}
}

func (p *parser) whileStatement() stmt {
	p.pos += 5
	p.skipSpace()
	p.expect('(')
	p.skipSpaceNL()
	cond := p.pipeline()
	p.skipSpaceNL()
	p.expect(')')
	return &whileStmt{cond: cond, body: p.block()}
}

func (p *parser) tryStatement() stmt {
	p.pos += 3
	s := &tryStmt{body: p.block()}
	for {
		save := p.pos
		p.skipSpaceNL()
		switch strings.ToLower(p.peekWord()) {
		case "catch":
			p.pos += 5
			s.catchBody, s.hasCatch = p.block(), true
			continue
		case "finally":
			p.pos += 7
			s.finallyBody = p.block()
			return s
		}
		p.pos = save
		return s
	}
}

// pipeline parses "expr | cmd | cmd" or "cmd | cmd".
func (p *parser) pipeline() *pipelineStmt {
	pl := &pipelineStmt{}
	for {
		p.skipSpace()
		switch {
		case p.startsCommand():
			pl.elems = append(pl.elems, pipeElem{cmd: p.command()})
		case len(pl.elems) == 0:
			pl.elems = append(pl.elems, pipeElem{expr: p.expression()})
		default:
			p.fail("expressions are only allowed as the first element of a pipeline")
		}
		p.skipSpace()
		if p.peek() != '|' || p.peekAt(1) == '|' {
			return pl
		}
		p.pos++
		p.skipSpaceNL()
	}
}

func (p *parser) startsCommand() bool {
	r := p.peek()
	return r == '&' || unicode.IsLetter(r)
}

func (p *parser) command() *psCommand {
	c := &psCommand{}
	if p.peek() == '&' {
		p.pos++
		p.skipSpace()
		c.nameExpr = p.primaryArg()
	} else {
		c.name = p.bareword()
	}
	for {
		p.skipSpace()
		if p.atEndOfStatement() || p.peek() == '|' {
			return c
		}
		c.args = append(c.args, p.commandArg())
	}
}

func (p *parser) commandArg() cmdArg {
	if p.peek() == '-' && unicode.IsLetter(p.peekAt(1)) {
		p.pos++
		name := p.identifier()
		if p.peek() == ':' {
			p.pos++
			return cmdArg{param: strings.ToLower(name), value: p.argValue(), hasColon: true}
		}
		return cmdArg{param: strings.ToLower(name)}
	}
	return cmdArg{value: p.argValue()}
}

// argValue parses one command argument, with commas making an array.
func (p *parser) argValue() expr {
	return p.commaList(p.primaryArg)
}

func (p *parser) primaryArg() expr {
	r := p.peek()
	switch {
	case r == '\'' || r == '"' || r == '$' || r == '(' || r == '@' || r == '{' || r == '[':
		return p.postfix(p.primary())
	case unicode.IsDigit(r) || (r == '-' && unicode.IsDigit(p.peekAt(1))):
		save := p.pos
		if n, ok := p.tryNumber(); ok && p.endOfArg() {
			return n
		}
		p.pos = save
	}
	return &literal{v: p.bareword()}
}

func (p *parser) endOfArg() bool {
	r := p.peek()
	return r == ' ' || r == '\t' || r == ',' || r == '|' || p.atEndOfStatement()
}

// bareword reads a command-mode word: everything up to a blank or a separator.
func (p *parser) bareword() string {
	start := p.pos
	for {
		r := p.peek()
		if r == eofRune || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == ';' ||
			r == '|' || r == ')' || r == '}' || r == ',' || r == '(' && p.pos == start {
			break
		}
		p.pos++
	}
	if p.pos == start {
		p.fail("unexpected %q", p.describe())
	}
	return string(p.src[start:p.pos])
}

func (p *parser) identifier() string {
	start := p.pos
	for r := p.peek(); unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'; r = p.peek() {
		p.pos++
	}
	return string(p.src[start:p.pos])
}
