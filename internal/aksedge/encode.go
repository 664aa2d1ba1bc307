package aksedge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// indentUnit is the indentation of written files, the one PowerShell's ConvertTo-Json uses.
const indentUnit = "    "

// encoder writes the typed model as indented JSON.
type encoder struct {
	buf    bytes.Buffer
	reveal bool
}

// entry is one key of an object about to be written: a typed field or a kept unknown value.
type entry struct {
	name  string
	index int // field index, -1 for an unknown key
	value reflect.Value
	raw   *node
	null  bool
}

func (e *encoder) value(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		e.value(v.Elem(), depth)
	case reflect.String:
		s := v.String()
		if v.Type() == reflect.TypeFor[Secret]() && !e.reveal {
			s = Secret(s).String()
		}
		e.buf.WriteString(quote(s))
	case reflect.Int:
		e.buf.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Bool:
		e.buf.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Slice:
		items := make([]func(int), v.Len())
		for i := range items {
			items[i] = func(d int) { e.value(v.Index(i), d) }
		}
		e.list('[', ']', items, depth)
	case reflect.Struct:
		e.object(v, depth)
	default:
		panic(fmt.Sprintf("aksedge: no encoder for %s", v.Type()))
	}
}

func (e *encoder) object(v reflect.Value, depth int) {
	entries := entriesOf(v)
	items := make([]func(int), len(entries))
	for i, en := range entries {
		items[i] = func(d int) {
			e.buf.WriteString(quote(en.name))
			e.buf.WriteString(": ")
			switch {
			case en.null:
				e.buf.WriteString("null")
			case en.raw != nil:
				e.node(en.raw, d)
			default:
				e.value(en.value, d)
			}
		}
	}
	e.list('{', '}', items, depth)
}

// list writes a bracketed, comma-separated list with one element per line.
func (e *encoder) list(open, closing byte, items []func(int), depth int) {
	e.buf.WriteByte(open)
	for i, item := range items {
		if i > 0 {
			e.buf.WriteByte(',')
		}
		e.buf.WriteByte('\n')
		e.buf.WriteString(strings.Repeat(indentUnit, depth+1))
		item(depth + 1)
	}
	if len(items) > 0 {
		e.buf.WriteByte('\n')
		e.buf.WriteString(strings.Repeat(indentUnit, depth))
	}
	e.buf.WriteByte(closing)
}

// node writes a value kept from the file as it was read.
func (e *encoder) node(n *node, depth int) {
	switch n.kind {
	case kindString:
		e.buf.WriteString(quote(n.text))
	case kindArray:
		items := make([]func(int), len(n.items))
		for i, item := range n.items {
			items[i] = func(d int) { e.node(item, d) }
		}
		e.list('[', ']', items, depth)
	case kindObject:
		items := make([]func(int), len(n.members))
		for i, m := range n.members {
			items[i] = func(d int) {
				e.buf.WriteString(quote(m.key))
				e.buf.WriteString(": ")
				e.node(m.value, d)
			}
		}
		e.list('{', '}', items, depth)
	default:
		e.buf.WriteString(n.text)
	}
}

// encodeNode returns n as JSON.
func encodeNode(n *node) []byte {
	var e encoder
	e.node(n, 0)
	return e.buf.Bytes()
}

// entriesOf lists the keys to write for struct v: the keys read from the file in their order
// (known ones in AKS EE's casing), then every set field the file did not have, placed after
// the nearest key that precedes it in AKS EE's order.
func entriesOf(v reflect.Value) []entry {
	ti := infoOf(v.Type())
	extra := v.Field(ti.extra).Interface().(Extra)
	var out []entry
	present := make(map[string]bool)
	for _, k := range extra.keys {
		if !k.known {
			out = append(out, entry{name: k.name, index: -1, raw: k.value})
			continue
		}
		f, _ := ti.lookup(k.name)
		fv := v.Field(f.index)
		present[f.name] = true
		switch {
		case isNil(fv) && !k.null:
			continue // removed since the load
		case isZero(fv) && k.null:
			out = append(out, entry{name: f.name, index: f.index, null: true})
		default:
			out = append(out, entry{name: f.name, index: f.index, value: fv})
		}
	}
	for _, f := range ti.fields {
		if fv := v.Field(f.index); !present[f.name] && !isZero(fv) {
			out = insertOrdered(out, entry{name: f.name, index: f.index, value: fv})
		}
	}
	return out
}

// insertOrdered puts en after the last known key with a smaller field index, or before the
// first known key when there is none.
func insertOrdered(out []entry, en entry) []entry {
	at := slices.IndexFunc(out, func(o entry) bool { return o.index >= 0 })
	if at < 0 {
		at = len(out)
	}
	for i, o := range out {
		if o.index >= 0 && o.index < en.index {
			at = i + 1
		}
	}
	return slices.Insert(out, at, en)
}

func isNil(v reflect.Value) bool {
	return (v.Kind() == reflect.Pointer || v.Kind() == reflect.Slice) && v.IsNil()
}

// isZero reports whether a field is unset: a nil pointer or slice, or an empty string.
// Empty but non-nil slices count as set, so a DnsServers of [] is written.
func isZero(v reflect.Value) bool {
	return isNil(v) || (v.Kind() == reflect.String && v.Len() == 0)
}

// quote writes s as a JSON string without escaping <, > and &, which proxy URLs hold.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
