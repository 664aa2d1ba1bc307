package aksedge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting the reader accepts, so hostile input cannot exhaust the stack.
const maxDepth = 200

// kind is the JSON type of a node.
type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// node is one JSON value as read from the file, with its position. Objects keep their members
// in file order; numbers keep their literal text so unknown keys are written back unchanged.
type node struct {
	kind      kind
	line, col int
	text      string // string value, number literal, or "true"/"false"
	items     []*node
	members   []member
}

// member is one key of an object.
type member struct {
	key       string
	line, col int
	value     *node
}

// reader is a small JSON parser that records line and column of every value. encoding/json
// reports only byte offsets and loses key order, both of which this package needs.
type reader struct {
	data      []byte
	pos       int
	line, col int // of data[pos], 1-based
	depth     int
}

// syntaxError is a JSON syntax error at a position.
type syntaxError struct {
	line, col int
	msg       string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%d:%d: %s", e.line, e.col, e.msg) }

// parseTree reads data as one JSON document. It accepts the encodings PowerShell writes:
// UTF-8 with or without a byte-order mark and UTF-16 with a byte-order mark (what
// "New-AksEdgeConfig > file.json" produces in Windows PowerShell 5.1).
func parseTree(data []byte) (*node, error) {
	data, err := toUTF8(data)
	if err != nil {
		return nil, err
	}
	r := &reader{data: data, line: 1, col: 1}
	r.skipSpace()
	n, err := r.value()
	if err != nil {
		return nil, err
	}
	r.skipSpace()
	if r.pos < len(r.data) {
		return nil, r.errorf("unexpected %s after the end of the document", r.describe())
	}
	return n, nil
}

// toUTF8 strips a UTF-8 byte-order mark and converts UTF-16 with a byte-order mark.
func toUTF8(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return utf16ToUTF8(data[2:], false)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return utf16ToUTF8(data[2:], true)
	}
	return data, nil
}

func utf16ToUTF8(data []byte, bigEndian bool) ([]byte, error) {
	if len(data)%2 != 0 {
		return nil, &syntaxError{line: 1, col: 1, msg: "UTF-16 text with an odd number of bytes"}
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		hi, lo := data[2*i+1], data[2*i]
		if bigEndian {
			hi, lo = lo, hi
		}
		units[i] = uint16(hi)<<8 | uint16(lo)
	}
	return []byte(string(utf16.Decode(units))), nil
}

func (r *reader) errorf(format string, args ...any) error {
	return &syntaxError{line: r.line, col: r.col, msg: fmt.Sprintf(format, args...)}
}

// describe names the byte at the current position for an error message.
func (r *reader) describe() string {
	if r.pos >= len(r.data) {
		return "end of input"
	}
	c, _ := utf8.DecodeRune(r.data[r.pos:])
	return fmt.Sprintf("%q", c)
}

// advance moves n bytes forward, keeping line and column (in characters) up to date.
func (r *reader) advance(n int) {
	for end := r.pos + n; r.pos < end; {
		c, size := utf8.DecodeRune(r.data[r.pos:])
		r.pos += size
		if c == '\n' {
			r.line++
			r.col = 1
		} else {
			r.col++
		}
	}
}

func (r *reader) skipSpace() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\r', '\n':
			r.advance(1)
		default:
			return
		}
	}
}

func (r *reader) value() (*node, error) {
	n := &node{line: r.line, col: r.col}
	if r.pos >= len(r.data) {
		return nil, r.errorf("unexpected end of input; want a value")
	}
	switch c := r.data[r.pos]; {
	case c == '{':
		return n, r.object(n)
	case c == '[':
		return n, r.array(n)
	case c == '"':
		s, err := r.str()
		n.kind, n.text = kindString, s
		return n, err
	case c == '-' || (c >= '0' && c <= '9'):
		n.kind, n.text = kindNumber, r.number()
		if !json.Valid([]byte(n.text)) {
			return nil, &syntaxError{line: n.line, col: n.col, msg: fmt.Sprintf("invalid number %q", n.text)}
		}
		return n, nil
	}
	for _, lit := range []struct {
		text string
		kind kind
	}{{"true", kindBool}, {"false", kindBool}, {"null", kindNull}} {
		if bytes.HasPrefix(r.data[r.pos:], []byte(lit.text)) {
			r.advance(len(lit.text))
			n.kind, n.text = lit.kind, lit.text
			return n, nil
		}
	}
	return nil, r.errorf("unexpected %s; want a value", r.describe())
}

// number consumes the characters a JSON number can hold; value checks the literal.
func (r *reader) number() string {
	start := r.pos
	for r.pos < len(r.data) && strings.IndexByte("+-.0123456789eE", r.data[r.pos]) >= 0 {
		r.advance(1)
	}
	return string(r.data[start:r.pos])
}

// str consumes a string literal and returns its value.
func (r *reader) str() (string, error) {
	line, col, start := r.line, r.col, r.pos
	r.advance(1)
	for {
		if r.pos >= len(r.data) {
			return "", &syntaxError{line: line, col: col, msg: "string not terminated"}
		}
		switch c := r.data[r.pos]; {
		case c == '"':
			r.advance(1)
			var s string
			if err := json.Unmarshal(r.data[start:r.pos], &s); err != nil {
				return "", &syntaxError{line: line, col: col, msg: "invalid string: " + err.Error()}
			}
			return s, nil
		case c == '\\':
			r.advance(min(2, len(r.data)-r.pos))
		case c < 0x20:
			return "", r.errorf("control character %q in a string", rune(c))
		default:
			r.advance(1)
		}
	}
}

func (r *reader) enter() error {
	if r.depth++; r.depth > maxDepth {
		return r.errorf("nesting deeper than %d levels", maxDepth)
	}
	return nil
}

func (r *reader) array(n *node) error {
	n.kind = kindArray
	if err := r.enter(); err != nil {
		return err
	}
	defer func() { r.depth-- }()
	r.advance(1)
	r.skipSpace()
	if r.pos < len(r.data) && r.data[r.pos] == ']' {
		r.advance(1)
		return nil
	}
	for {
		r.skipSpace()
		item, err := r.value()
		if err != nil {
			return err
		}
		n.items = append(n.items, item)
		if done, err := r.separator(']'); done || err != nil {
			return err
		}
	}
}

func (r *reader) object(n *node) error {
	n.kind = kindObject
	if err := r.enter(); err != nil {
		return err
	}
	defer func() { r.depth-- }()
	r.advance(1)
	r.skipSpace()
	if r.pos < len(r.data) && r.data[r.pos] == '}' {
		r.advance(1)
		return nil
	}
	for {
		m, err := r.member()
		if err != nil {
			return err
		}
		n.members = append(n.members, m)
		if done, err := r.separator('}'); done || err != nil {
			return err
		}
	}
}

// member reads `"key": value`.
func (r *reader) member() (member, error) {
	r.skipSpace()
	m := member{line: r.line, col: r.col}
	if r.pos >= len(r.data) || r.data[r.pos] != '"' {
		return m, r.errorf("unexpected %s; want a key in double quotes", r.describe())
	}
	key, err := r.str()
	if err != nil {
		return m, err
	}
	m.key = key
	r.skipSpace()
	if r.pos >= len(r.data) || r.data[r.pos] != ':' {
		return m, r.errorf("unexpected %s after key %q; want ':'", r.describe(), key)
	}
	r.advance(1)
	r.skipSpace()
	m.value, err = r.value()
	return m, err
}

// separator reads the ',' between elements or the closing bracket; done reports the latter.
func (r *reader) separator(closing byte) (done bool, err error) {
	r.skipSpace()
	if r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ',':
			r.advance(1)
			return false, nil
		case closing:
			r.advance(1)
			return true, nil
		}
	}
	return false, r.errorf("unexpected %s; want ',' or '%c'", r.describe(), closing)
}
