package hostsim

import (
	"strings"
	"unicode"
)

// singleQuoted reads a verbatim string; two quotes in a row stand for one.
func (p *parser) singleQuoted() string {
	return p.singleQuotedLike('\'')
}

func (p *parser) singleQuotedLike(q rune) string {
	p.expect(q)
	var b strings.Builder
	for {
		r := p.next()
		switch {
		case r == eofRune:
			p.fail("the string is missing its terminator")
		case r == q && p.peek() == q:
			p.pos++
			b.WriteRune(q)
		case r == q:
			return b.String()
		default:
			b.WriteRune(r)
		}
	}
}

// doubleQuoted reads an expandable string into literal parts, variables and $( ) parts.
func (p *parser) doubleQuoted() expr {
	p.expect('"')
	return p.expandable(func() bool {
		if p.peek() == '"' && p.peekAt(1) == '"' {
			return false
		}
		return p.peek() == '"'
	}, true)
}

// expandable reads up to the position where atEnd is true (consuming one closing character).
func (p *parser) expandable(atEnd func() bool, doubledQuotes bool) expr {
	s := &expandString{}
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			s.parts = append(s.parts, &literal{v: b.String()})
			b.Reset()
		}
	}
	for !atEnd() {
		r := p.peek()
		switch {
		case r == eofRune:
			p.fail("the string is missing its terminator")
		case r == '`':
			p.pos++
			b.WriteRune(backtickEscape(p.next()))
		case r == '"' && doubledQuotes:
			p.pos += 2
			b.WriteRune('"')
		case r == '$' && p.peekAt(1) == '(':
			flush()
			p.pos += 2
			st := p.statements(')')
			p.expect(')')
			s.parts = append(s.parts, &subExpr{stmts: st})
		case r == '$' && (unicode.IsLetter(p.peekAt(1)) || p.peekAt(1) == '_' || p.peekAt(1) == '{'):
			flush()
			s.parts = append(s.parts, p.variable())
		default:
			p.pos++
			b.WriteRune(r)
		}
	}
	p.pos++
	flush()
	return s
}

func backtickEscape(r rune) rune {
	switch r {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case '0':
		return 0
	}
	return r
}

// hereString reads @' ... '@ (verbatim) or @" ... "@ (expandable).
func (p *parser) hereString() expr {
	p.pos++
	q := p.next()
	for p.peek() != '\n' && p.peek() != eofRune {
		p.pos++
	}
	p.pos++
	atEnd := func() bool {
		return p.peek() == '\n' && p.peekAt(1) == q && p.peekAt(2) == '@' || p.peek() == eofRune
	}
	if q == '"' {
		x := p.expandable(atEnd, false)
		p.pos += 2
		return x
	}
	start := p.pos
	for !atEnd() {
		p.pos++
	}
	text := string(p.src[start:p.pos])
	p.pos += 3
	return &literal{v: text}
}
