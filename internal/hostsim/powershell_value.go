package hostsim

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Object is a PowerShell object in the simulated host: a property bag with case-insensitive
// names that keeps its order, plus the methods scripts may call on it.
type Object struct {
	TypeName string
	keys     []string
	props    map[string]any
	methods  map[string]func(args []any) (any, error)
	str      string // what [string]$obj gives; TypeName when empty
}

// NewObject returns an object of typeName with the given properties, in the given order.
func NewObject(typeName string, kv ...any) *Object {
	o := &Object{TypeName: typeName, props: map[string]any{}}
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

// Set sets a property, keeping the first spelling of its name.
func (o *Object) Set(name string, v any) {
	k := strings.ToLower(name)
	if _, ok := o.props[k]; !ok {
		o.keys = append(o.keys, name)
	}
	o.props[k] = v
}

// Get returns a property; a missing one is nil, as in PowerShell without strict mode.
func (o *Object) Get(name string) (any, bool) {
	v, ok := o.props[strings.ToLower(name)]
	return v, ok
}

// Keys returns the property names in order.
func (o *Object) Keys() []string { return o.keys }

// Method attaches a method.
func (o *Object) Method(name string, f func(args []any) (any, error)) *Object {
	if o.methods == nil {
		o.methods = map[string]func([]any) (any, error){}
	}
	o.methods[strings.ToLower(name)] = f
	return o
}

func (o *Object) String() string {
	if o.str != "" {
		return o.str
	}
	return o.TypeName
}

// toStr converts v the way PowerShell converts a value to a string.
func toStr(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		if v {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = toStr(e)
		}
		return strings.Join(parts, " ")
	case []byte:
		return "System.Byte[]"
	case *Object:
		return v.String()
	case *scriptBlock:
		return "{ script block }"
	}
	return fmt.Sprint(v)
}

// truthy is PowerShell's conversion to bool.
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case int64:
		return v != 0
	case int:
		return v != 0
	case float64:
		return v != 0
	case []any:
		if len(v) == 1 {
			return truthy(v[0])
		}
		return len(v) > 0
	}
	return true
}

// toNumber converts v to an int64 or float64.
func toNumber(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return int64(0), nil
	case bool:
		if v {
			return int64(1), nil
		}
		return int64(0), nil
	case int64, float64:
		return v, nil
	case int:
		return int64(v), nil
	case string:
		s := strings.TrimSpace(v)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f, nil
		}
	}
	return nil, fmt.Errorf("cannot convert value %q to type System.Int32", toStr(v))
}

func toFloat(v any) (float64, error) {
	n, err := toNumber(v)
	if err != nil {
		return 0, err
	}
	if i, ok := n.(int64); ok {
		return float64(i), nil
	}
	return n.(float64), nil
}

func toInt(v any) (int64, error) {
	n, err := toNumber(v)
	if err != nil {
		return 0, err
	}
	if f, ok := n.(float64); ok {
		return int64(math.RoundToEven(f)), nil
	}
	return n.(int64), nil
}

// enumerate turns a value into the items a pipeline passes on.
func enumerate(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	return []any{v}
}

// unwrap turns pipeline output into a single value: nothing, the item, or an array.
func unwrap(items []any) any {
	switch len(items) {
	case 0:
		return nil
	case 1:
		return items[0]
	}
	return items
}

// compare applies a comparison operator, case-insensitively for strings, converting the
// right side to the type of the left as PowerShell does.
func compare(op string, l, r any) (bool, error) {
	switch op {
	case "like", "notlike":
		ok := wildcardMatch(toStr(r), toStr(l))
		return ok == (op == "like"), nil
	case "match", "notmatch":
		re, err := regexp.Compile("(?i)" + toStr(r))
		if err != nil {
			return false, fmt.Errorf("invalid regular expression %q: %w", toStr(r), err)
		}
		return re.MatchString(toStr(l)) == (op == "match"), nil
	case "contains", "notcontains":
		found := false
		for _, e := range enumerate(l) {
			if eq, _ := equal(e, r); eq {
				found = true
			}
		}
		return found == (op == "contains"), nil
	}
	return order(op, l, r)
}

func equal(l, r any) (bool, error) {
	c, err := cmpValues(l, r)
	return err == nil && c == 0, nil
}

func order(op string, l, r any) (bool, error) {
	if op == "eq" || op == "ne" || op == "ceq" || op == "cne" {
		if l == nil || r == nil {
			return (l == nil && r == nil) == (op == "eq" || op == "ceq"), nil
		}
		if op == "ceq" || op == "cne" {
			return (toStr(l) == toStr(r)) == (op == "ceq"), nil
		}
		eq, _ := equal(l, r)
		return eq == (op == "eq"), nil
	}
	c, err := cmpValues(l, r)
	if err != nil {
		return false, err
	}
	switch op {
	case "gt":
		return c > 0, nil
	case "ge":
		return c >= 0, nil
	case "lt":
		return c < 0, nil
	}
	return c <= 0, nil
}

func cmpValues(l, r any) (int, error) {
	switch l.(type) {
	case int64, int, float64:
		a, err := toFloat(l)
		if err != nil {
			return 0, err
		}
		b, err := toFloat(r)
		if err != nil {
			return 0, err
		}
		return cmpFloat(a, b), nil
	case bool:
		return strings.Compare(toStr(l), toStr(truthy(r))), nil
	}
	return strings.Compare(strings.ToLower(toStr(l)), strings.ToLower(toStr(r))), nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// wildcardMatch implements -like: * and ? wildcards, case-insensitive.
func wildcardMatch(pattern, s string) bool {
	var re strings.Builder
	re.WriteString("(?is)^")
	for _, r := range pattern {
		switch r {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()).MatchString(s)
}
