package aksedge

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// ParseError is a syntax or type error in a config file, with its position and, for a type
// error, the key path (Machines[0].LinuxNode.CpuCount).
type ParseError struct {
	File    string
	Line    int
	Column  int
	Path    string // empty for a syntax error
	Message string
}

func (e *ParseError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Message)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, e.Line, e.Column, e.Path, e.Message)
}

// ParseErrors returns every *ParseError in err, which Parse joins with errors.Join.
func ParseErrors(err error) []*ParseError {
	switch e := err.(type) { //nolint:errorlint // this walks the error tree itself
	case *ParseError:
		return []*ParseError{e}
	case interface{ Unwrap() []error }:
		var out []*ParseError
		for _, inner := range e.Unwrap() {
			out = append(out, ParseErrors(inner)...)
		}
		return out
	case interface{ Unwrap() error }:
		return ParseErrors(e.Unwrap())
	}
	return nil
}

// field is one known key of a struct.
type field struct {
	name  string
	index int
}

// typeInfo lists the known keys of a struct type in AKS EE's order, and where its Extra is.
type typeInfo struct {
	fields []field
	extra  int
}

var typeInfos sync.Map // reflect.Type -> *typeInfo

func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeInfos.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{extra: -1}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type == reflect.TypeFor[Extra]() {
			ti.extra = i
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ti.fields = append(ti.fields, field{name: name, index: i})
	}
	typeInfos.Store(t, ti)
	return ti
}

// lookup finds the known key that name spells, ignoring case as PowerShell does.
func (ti *typeInfo) lookup(name string) (field, bool) {
	for _, f := range ti.fields {
		if strings.EqualFold(f.name, name) {
			return f, true
		}
	}
	return field{}, false
}

// decoder fills the typed model from a node tree, collecting every type error.
type decoder struct {
	file string
	errs []error
}

func (d *decoder) fail(n *node, path, format string, args ...any) {
	d.errs = append(d.errs, &ParseError{
		File: d.file, Line: n.line, Column: n.col, Path: path, Message: fmt.Sprintf(format, args...),
	})
}

func (d *decoder) value(n *node, v reflect.Value, path string) {
	if n.kind == kindNull {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		d.value(n, v.Elem(), path)
	case reflect.String:
		d.str(n, v, path)
	case reflect.Int:
		d.integer(n, v, path)
	case reflect.Bool:
		if n.kind != kindBool {
			d.fail(n, path, "want true or false, got %s", describe(n))
			return
		}
		v.SetBool(n.text == "true")
	case reflect.Slice:
		d.slice(n, v, path)
	case reflect.Struct:
		d.object(n, v, path)
	default:
		panic(fmt.Sprintf("aksedge: no decoder for %s", v.Type()))
	}
}

func (d *decoder) str(n *node, v reflect.Value, path string) {
	if n.kind == kindString {
		v.SetString(n.text)
		return
	}
	if v.Type() == reflect.TypeFor[Secret]() && n.kind != kindNull {
		d.fail(n, path, "want a string") // a mistyped secret is still not echoed
		return
	}
	d.fail(n, path, "want a string, got %s", describe(n))
}

func (d *decoder) integer(n *node, v reflect.Value, path string) {
	if n.kind != kindNumber {
		d.fail(n, path, "want a number, got %s", describe(n))
		return
	}
	i, err := strconv.ParseInt(n.text, 10, 32)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			d.fail(n, path, "%s is out of range", n.text)
		} else {
			d.fail(n, path, "want a whole number, got %s", n.text)
		}
		return
	}
	v.SetInt(i)
}

func (d *decoder) slice(n *node, v reflect.Value, path string) {
	if n.kind != kindArray {
		d.fail(n, path, "want an array, got %s", describe(n))
		return
	}
	v.Set(reflect.MakeSlice(v.Type(), len(n.items), len(n.items)))
	for i, item := range n.items {
		d.value(item, v.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
}

func (d *decoder) object(n *node, v reflect.Value, path string) {
	if n.kind != kindObject {
		d.fail(n, path, "want an object, got %s", describe(n))
		return
	}
	ti := infoOf(v.Type())
	extra := v.Field(ti.extra).Addr().Interface().(*Extra)
	seen := make(map[string]member, len(n.members))
	for _, m := range n.members {
		f, known := ti.lookup(m.key)
		name := m.key
		if known {
			name = f.name
		}
		lower := strings.ToLower(m.key)
		if first, dup := seen[lower]; dup {
			d.fail(m.value, joinPath(path, name),
				"key given twice (first as %q at %d:%d); keys are case-insensitive, keep one",
				first.key, first.line, first.col)
			continue
		}
		seen[lower] = m
		if !known {
			extra.keys = append(extra.keys, rawKey{name: m.key, value: m.value})
			continue
		}
		extra.keys = append(extra.keys, rawKey{name: f.name, known: true, null: m.value.kind == kindNull})
		d.value(m.value, v.Field(f.index), joinPath(path, f.name))
	}
}

// joinPath appends a key to a key path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe names a value in a type error: the value itself for scalars, its type otherwise.
func describe(n *node) string {
	switch n.kind {
	case kindString:
		s := n.text
		if len(s) > 40 {
			s = s[:37] + "..."
		}
		return strconv.Quote(s)
	case kindArray:
		return "an array"
	case kindObject:
		return "an object"
	default:
		return n.text
	}
}
