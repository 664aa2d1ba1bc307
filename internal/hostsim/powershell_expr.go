package hostsim

import (
	"strconv"
	"strings"
	"unicode"
)

// Operator precedence, loosest first. The comma binds loosest here, which differs from
// PowerShell but not for the scripts the plugin sends.
var (
	logicalOps = []string{"and", "or"}
	compareOps = []string{
		"eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch",
		"contains", "notcontains", "ceq", "cne",
	}
	binaryOps = map[string]bool{"join": true, "split": true, "replace": true, "f": true}
)

func (p *parser) expression() expr {
	return p.commaList(p.logical)
}

// commaList parses one item, or several separated by commas, which PowerShell makes an array.
func (p *parser) commaList(item func() expr) expr {
	first := item()
	p.skipSpace()
	if p.peek() != ',' {
		return first
	}
	arr := &arrayLit{elems: []expr{first}}
	for p.peek() == ',' {
		p.pos++
		p.skipSpaceNL()
		arr.elems = append(arr.elems, item())
		p.skipSpace()
	}
	return arr
}

func (p *parser) logical() expr {
	x := p.comparison()
	for {
		op := p.dashOperator(logicalOps)
		if op == "" {
			return x
		}
		p.skipSpaceNL()
		x = &binaryExpr{op: op, l: x, r: p.comparison()}
	}
}

func (p *parser) comparison() expr {
	x := p.additive()
	for {
		op := p.dashOperator(compareOps)
		if op == "" {
			return x
		}
		p.skipSpaceNL()
		x = &binaryExpr{op: op, l: x, r: p.additive()}
	}
}

// dashOperator consumes "-op" when op is one of ops (or the string operators) and returns it.
func (p *parser) dashOperator(ops []string) string {
	save := p.pos
	p.skipSpace()
	if p.peek() != '-' || !unicode.IsLetter(p.peekAt(1)) {
		p.pos = save
		return ""
	}
	p.pos++
	word := strings.ToLower(p.identifier())
	for _, op := range ops {
		if word == op || word == "i"+op {
			return op
		}
	}
	if binaryOps[word] && len(ops) == len(compareOps) {
		return word
	}
	p.pos = save
	return ""
}

func (p *parser) additive() expr {
	x := p.multiplicative()
	for {
		save := p.pos
		p.skipSpace()
		r := p.peek()
		if (r != '+' && r != '-') || unicode.IsLetter(p.peekAt(1)) {
			p.pos = save
			return x
		}
		p.pos++
		p.skipSpaceNL()
		x = &binaryExpr{op: string(r), l: x, r: p.multiplicative()}
	}
}

func (p *parser) multiplicative() expr {
	x := p.unary()
	for {
		save := p.pos
		p.skipSpace()
		r := p.peek()
		if r != '*' && r != '/' && r != '%' {
			p.pos = save
			return x
		}
		p.pos++
		p.skipSpaceNL()
		x = &binaryExpr{op: string(r), l: x, r: p.unary()}
	}
}

func (p *parser) unary() expr {
	p.skipSpace()
	switch r := p.peek(); {
	case r == '!':
		p.pos++
		return &unaryExpr{op: "not", x: p.unary()}
	case r == '-' && strings.EqualFold(p.peekIdent(1), "not"):
		p.pos += 4
		return &unaryExpr{op: "not", x: p.unary()}
	case r == '-' && !unicode.IsDigit(p.peekAt(1)):
		p.pos++
		return &unaryExpr{op: "-", x: p.unary()}
	case r == ',':
		p.pos++
		return &arrayLit{elems: []expr{p.unary()}}
	case r == '[':
		if t, ok := p.castType(); ok {
			return &castExpr{typ: t, x: p.unary()}
		}
	}
	return p.postfix(p.primary())
}

func (p *parser) peekIdent(offset int) string {
	i := p.pos + offset
	start := i
	for i < len(p.src) && unicode.IsLetter(p.src[i]) {
		i++
	}
	return string(p.src[start:i])
}

// castType consumes "[type]" when it is a cast (not followed by "::") and returns the type.
func (p *parser) castType() (string, bool) {
	save := p.pos
	t := p.typeName()
	if p.peek() == ':' && p.peekAt(1) == ':' {
		p.pos = save
		return "", false
	}
	if r := p.peek(); r == '$' || r == '(' || r == '@' || r == '\'' || r == '"' || r == '[' ||
		unicode.IsDigit(r) {
		return t, true
	}
	p.pos = save
	return "", false
}

// typeName reads "[Some.Type]" and returns the lower-case name without "system.".
func (p *parser) typeName() string {
	p.expect('[')
	start := p.pos
	depth := 0
	for p.peek() != ']' || depth > 0 {
		switch p.next() {
		case '[':
			depth++
		case ']':
			depth--
		case eofRune, '\n':
			p.fail("missing ']' in a type name")
		}
	}
	name := strings.ToLower(strings.TrimSpace(string(p.src[start:p.pos])))
	p.pos++
	return strings.TrimPrefix(name, "system.")
}

func (p *parser) primary() expr {
	switch r := p.peek(); {
	case r == '\'':
		return &literal{v: p.singleQuoted()}
	case r == '"':
		return p.doubleQuoted()
	case r == '@' && (p.peekAt(1) == '\'' || p.peekAt(1) == '"'):
		return p.hereString()
	case r == '$' && p.peekAt(1) == '(':
		p.pos += 2
		s := p.statements(')')
		p.expect(')')
		return &subExpr{stmts: s}
	case r == '$':
		return p.variable()
	case r == '@' && p.peekAt(1) == '(':
		p.pos += 2
		s := p.statements(')')
		p.expect(')')
		return &subExpr{stmts: s, array: true}
	case r == '@' && p.peekAt(1) == '{':
		return p.hashLiteral()
	case r == '(':
		p.pos++
		p.skipSpaceNL()
		x := &parenExpr{}
		switch st := p.statement().(type) {
		case *pipelineStmt:
			x.p = st
		case *assignStmt:
			x.assign = st
		default:
			p.fail("only a pipeline or an assignment may stand in parentheses")
		}
		p.skipSpaceNL()
		p.expect(')')
		return x
	case r == '{':
		p.pos++
		s := p.statements('}')
		p.expect('}')
		return &scriptBlock{stmts: s}
	case r == '[':
		return p.staticOrType()
	case unicode.IsDigit(r) || r == '.' && unicode.IsDigit(p.peekAt(1)):
		if n, ok := p.tryNumber(); ok {
			return n
		}
	}
	p.fail("unexpected %q", p.describe())
	return nil
}

func (p *parser) staticOrType() expr {
	t := p.typeName()
	if p.peek() != ':' || p.peekAt(1) != ':' {
		return &typeLit{name: t}
	}
	p.pos += 2
	name := strings.ToLower(p.identifier())
	if p.peek() != '(' {
		return &staticExpr{typ: t, name: name}
	}
	return &staticExpr{typ: t, name: name, args: p.callArgs(), call: true}
}

// postfix parses member access, method calls and indexing right after x.
func (p *parser) postfix(x expr) expr {
	for {
		switch {
		case p.peek() == '.' && (unicode.IsLetter(p.peekAt(1)) || p.peekAt(1) == '_'):
			p.pos++
			name := strings.ToLower(p.identifier())
			if p.peek() == '(' {
				x = &memberExpr{x: x, name: name, args: p.callArgs(), call: true}
			} else {
				x = &memberExpr{x: x, name: name}
			}
		case p.peek() == '[':
			p.pos++
			p.skipSpace()
			idx := p.expression()
			p.skipSpace()
			p.expect(']')
			x = &indexExpr{x: x, idx: idx}
		default:
			return x
		}
	}
}

func (p *parser) callArgs() []expr {
	p.expect('(')
	p.skipSpaceNL()
	var args []expr
	for p.peek() != ')' {
		args = append(args, p.logical())
		p.skipSpaceNL()
		if p.peek() == ',' {
			p.pos++
			p.skipSpaceNL()
		}
	}
	p.pos++
	return args
}

func (p *parser) variable() expr {
	p.expect('$')
	if p.peek() == '{' {
		p.pos++
		start := p.pos
		for p.peek() != '}' && p.peek() != eofRune {
			p.pos++
		}
		name := string(p.src[start:p.pos])
		p.expect('}')
		return &varRef{name: strings.ToLower(name)}
	}
	start := p.pos
	for r := p.peek(); unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '?' ||
		r == ':' && p.pos > start && unicode.IsLetter(p.peekAt(1)); r = p.peek() {
		p.pos++
	}
	if p.pos == start {
		p.fail("a variable name is missing after '$'")
	}
	return &varRef{name: strings.ToLower(string(p.src[start:p.pos]))}
}

func (p *parser) hashLiteral() expr {
	p.pos += 2
	h := &hashExpr{}
	for {
		for p.skipSpaceNL(); p.peek() == ';'; p.skipSpaceNL() {
			p.pos++
		}
		if p.peek() == '}' {
			p.pos++
			return h
		}
		var key string
		switch p.peek() {
		case '\'':
			key = p.singleQuoted()
		case '"':
			key = p.singleQuotedLike('"')
		default:
			key = p.identifier()
		}
		if key == "" {
			p.fail("a hash table key is missing")
		}
		p.skipSpace()
		p.expect('=')
		p.skipSpaceNL()
		h.keys = append(h.keys, key)
		h.vals = append(h.vals, p.pipeline())
	}
}

// tryNumber parses an integer or decimal with an optional KB/MB/GB/TB multiplier.
func (p *parser) tryNumber() (expr, bool) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	if p.peek() == '0' && (p.peekAt(1) == 'x' || p.peekAt(1) == 'X') {
		p.pos += 2
		hs := p.pos
		for strings.ContainsRune("0123456789abcdefABCDEF", p.peek()) {
			p.pos++
		}
		n, err := strconv.ParseInt(string(p.src[hs:p.pos]), 16, 64)
		return &literal{v: n}, err == nil
	}
	for unicode.IsDigit(p.peek()) || p.peek() == '.' && unicode.IsDigit(p.peekAt(1)) {
		p.pos++
	}
	text := string(p.src[start:p.pos])
	mult := int64(1)
	suffix := strings.ToLower(string(p.src[p.pos:min(p.pos+2, len(p.src))]))
	if m, ok := map[string]int64{"kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30, "tb": 1 << 40}[suffix]; ok {
		mult = m
		p.pos += 2
	}
	if unicode.IsLetter(p.peek()) {
		p.pos = start
		return nil, false
	}
	if strings.Contains(text, ".") {
		f, err := strconv.ParseFloat(text, 64)
		return &literal{v: f * float64(mult)}, err == nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	return &literal{v: n * mult}, err == nil
}
