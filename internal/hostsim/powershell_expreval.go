package hostsim

import (
	"fmt"
	"math"
	"strings"
)

func (s *session) eval(x expr) (any, error) {
	switch x := x.(type) {
	case *literal:
		return x.v, nil
	case *expandString:
		return s.evalExpand(x)
	case *varRef:
		return s.variable(x.name), nil
	case *subExpr:
		return s.evalSub(x)
	case *parenExpr:
		if x.assign != nil {
			v, err := s.valueOf(x.assign.value)
			if err != nil {
				return nil, err
			}
			return v, s.assign(x.assign.target, v)
		}
		out, err := s.pipeline(x.p)
		return unwrap(out), err
	case *hashExpr:
		return s.evalHash(x)
	case *typeLit:
		return NewObject("System.RuntimeType", "FullName", x.name), nil
	case *castExpr:
		v, err := s.eval(x.x)
		if err != nil {
			return nil, err
		}
		return convertTo(x.typ, v)
	case *staticExpr:
		return s.evalStatic(x)
	case *memberExpr:
		return s.evalMember(x)
	case *indexExpr:
		return s.evalIndex(x)
	case *unaryExpr:
		return s.evalUnary(x)
	case *binaryExpr:
		return s.evalBinary(x)
	case *arrayLit:
		return s.evalArray(x)
	case *scriptBlock:
		return x, nil
	}
	return nil, fmt.Errorf("unknown expression %T", x)
}

func (s *session) variable(name string) any {
	if env, ok := strings.CutPrefix(name, "env:"); ok {
		if v, ok := s.env[env]; ok {
			return v
		}
		return nil
	}
	return s.vars[name]
}

func (s *session) evalExpand(x *expandString) (any, error) {
	var b strings.Builder
	for _, part := range x.parts {
		v, err := s.eval(part)
		if err != nil {
			return nil, err
		}
		b.WriteString(toStr(v))
	}
	return b.String(), nil
}

func (s *session) evalSub(x *subExpr) (any, error) {
	var out []any
	err := s.execStmts(x.stmts, func(v any) { out = append(out, v) })
	if err != nil {
		return nil, err
	}
	if x.array {
		if out == nil {
			out = []any{}
		}
		return out, nil
	}
	return unwrap(out), nil
}

func (s *session) evalHash(x *hashExpr) (any, error) {
	h := NewObject("System.Collections.Hashtable")
	h.str = "System.Collections.Hashtable"
	for i, k := range x.keys {
		v, err := s.valueOf(x.vals[i])
		if err != nil {
			return nil, err
		}
		h.Set(k, v)
	}
	return h, nil
}

func (s *session) evalArray(x *arrayLit) (any, error) {
	out := make([]any, 0, len(x.elems))
	for _, e := range x.elems {
		v, err := s.eval(e)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *session) evalArgs(args []expr) ([]any, error) {
	vals := make([]any, len(args))
	for i, a := range args {
		v, err := s.eval(a)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}

func (s *session) evalStatic(x *staticExpr) (any, error) {
	args, err := s.evalArgs(x.args)
	if err != nil {
		return nil, err
	}
	key := x.typ + "::" + x.name
	f, ok := staticMembers[key]
	if !ok {
		return nil, throwf("Unable to find type or member [%s].", key)
	}
	return f(s, args)
}

func (s *session) evalMember(x *memberExpr) (any, error) {
	v, err := s.eval(x.x)
	if err != nil {
		return nil, err
	}
	if !x.call {
		return property(v, x.name), nil
	}
	args, err := s.evalArgs(x.args)
	if err != nil {
		return nil, err
	}
	return callMethod(v, x.name, args)
}

// property reads a property; on an array it collects the property of every element, as
// PowerShell's member enumeration does.
func property(v any, name string) any {
	switch v := v.(type) {
	case *Object:
		p, _ := v.Get(name)
		return p
	case string:
		if name == "length" {
			return int64(len([]rune(v)))
		}
	case []any:
		if name == "count" || name == "length" {
			return int64(len(v))
		}
		var out []any
		for _, e := range v {
			if p := property(e, name); p != nil {
				out = append(out, p)
			}
		}
		return unwrap(out)
	case []byte:
		if name == "count" || name == "length" {
			return int64(len(v))
		}
	case nil:
		if name == "count" {
			return int64(0)
		}
	}
	return nil
}

func (s *session) evalIndex(x *indexExpr) (any, error) {
	v, err := s.eval(x.x)
	if err != nil {
		return nil, err
	}
	idx, err := s.eval(x.idx)
	if err != nil {
		return nil, err
	}
	if o, ok := v.(*Object); ok {
		p, _ := o.Get(toStr(idx))
		return p, nil
	}
	i, err := toInt(idx)
	if err != nil {
		return nil, err
	}
	items := enumerate(v)
	if str, ok := v.(string); ok {
		items = nil
		for _, r := range str {
			items = append(items, string(r))
		}
	}
	if i < 0 {
		i += int64(len(items))
	}
	if i < 0 || i >= int64(len(items)) {
		return nil, nil
	}
	return items[i], nil
}

func (s *session) evalUnary(x *unaryExpr) (any, error) {
	v, err := s.eval(x.x)
	if err != nil {
		return nil, err
	}
	if x.op == "not" {
		return !truthy(v), nil
	}
	n, err := toNumber(v)
	if err != nil {
		return nil, err
	}
	if f, ok := n.(float64); ok {
		return -f, nil
	}
	return -n.(int64), nil
}

func (s *session) evalBinary(x *binaryExpr) (any, error) {
	l, err := s.eval(x.l)
	if err != nil {
		return nil, err
	}
	if x.op == "and" && !truthy(l) || x.op == "or" && truthy(l) {
		return x.op == "or", nil
	}
	r, err := s.eval(x.r)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "and", "or":
		return truthy(r), nil
	case "+", "-", "*", "/", "%":
		return arithmetic(x.op, l, r)
	case "join":
		parts := []string{}
		for _, e := range enumerate(l) {
			parts = append(parts, toStr(e))
		}
		return strings.Join(parts, toStr(r)), nil
	}
	return compare(x.op, l, r)
}

func arithmetic(op string, l, r any) (any, error) {
	if v, ok := concat(op, l, r); ok {
		return v, nil
	}
	a, err := toNumber(l)
	if err != nil {
		return nil, err
	}
	b, err := toNumber(r)
	if err != nil {
		return nil, err
	}
	ai, aInt := a.(int64)
	bi, bInt := b.(int64)
	if aInt && bInt {
		return intArithmetic(op, ai, bi)
	}
	af, _ := toFloat(a)
	bf, _ := toFloat(b)
	return floatArithmetic(op, af, bf)
}

// concat is + on strings, arrays and byte arrays.
func concat(op string, l, r any) (any, bool) {
	if op != "+" {
		return nil, false
	}
	switch lv := l.(type) {
	case string:
		return lv + toStr(r), true
	case []any:
		return append(append([]any{}, lv...), enumerate(r)...), true
	case []byte:
		rb, _ := r.([]byte)
		return append(append([]byte{}, lv...), rb...), true
	}
	return nil, false
}

// intArithmetic keeps integers integral, except a division that leaves a remainder.
func intArithmetic(op string, a, b int64) (any, error) {
	switch op {
	case "+":
		return a + b, nil
	case "-":
		return a - b, nil
	case "*":
		return a * b, nil
	}
	if b == 0 {
		return nil, throwf("Attempted to divide by zero.")
	}
	if op == "%" {
		return a % b, nil
	}
	if a%b == 0 {
		return a / b, nil
	}
	return float64(a) / float64(b), nil
}

func floatArithmetic(op string, a, b float64) (any, error) {
	switch op {
	case "+":
		return a + b, nil
	case "-":
		return a - b, nil
	case "*":
		return a * b, nil
	}
	if b == 0 {
		return nil, throwf("Attempted to divide by zero.")
	}
	if op == "%" {
		return math.Mod(a, b), nil
	}
	return a / b, nil
}
