package aksedge

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
)

// StdinName is the file name Load gives to standard input in error messages and findings.
const StdinName = "stdin"

// Parse reads one config file. name is the file name used in error positions. A syntax error
// is a *ParseError with line and column; type errors are *ParseErrors (one per key, with its
// path) joined with errors.Join; ParseErrors lists them.
func Parse(name string, data []byte) (*Config, error) {
	tree, err := parseTree(data)
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return nil, &ParseError{File: name, Line: se.line, Column: se.col, Message: se.msg}
		}
		return nil, err
	}
	d := &decoder{file: name}
	c := &Config{}
	if tree.kind != kindObject {
		d.fail(tree, "", "want a JSON object at the top level, got %s", describe(tree))
	} else {
		d.object(tree, reflect.ValueOf(c).Elem(), "")
	}
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	return c, nil
}

// Load reads a config file; path "-" reads stdin and names it StdinName in errors.
func Load(path string, stdin io.Reader) (*Config, error) {
	if path == "-" {
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("read stdin: %w", err)
		}
		return Parse(StdinName, data)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// Marshal returns c as indented JSON in AKS EE's key casing and order, keeping the unknown
// keys and key order of the file c was read from. Secrets print as "<redacted>" unless
// showSecrets is true.
func Marshal(c *Config, showSecrets bool) ([]byte, error) {
	if c == nil {
		return nil, errors.New("marshal config: nil config")
	}
	e := &encoder{reveal: showSecrets}
	e.object(reflect.ValueOf(c).Elem(), 0)
	e.buf.WriteByte('\n')
	return e.buf.Bytes(), nil
}

// WriteFile writes c to path with its secrets, readable by the owner only (mode 0600),
// through a temporary file in the same directory and a rename, so that path never holds a
// half-written file.
func WriteFile(path string, c *Config) error {
	data, err := Marshal(c, true)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	defer os.Remove(tmp.Name()) //nolint:errcheck // gone after the rename; best effort otherwise
	if err := writeAndClose(tmp, data); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	return nil
}

func writeAndClose(f *os.File, data []byte) error {
	err := f.Chmod(0o600)
	if errors.Is(err, errors.ErrUnsupported) {
		err = nil // Windows has no mode bits; CreateTemp already made the file private
	}
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// Clone returns a deep copy of c, unknown keys and key order included.
func (c *Config) Clone() *Config {
	if c == nil {
		return nil
	}
	out := &Config{}
	deepCopy(reflect.ValueOf(out).Elem(), reflect.ValueOf(c).Elem())
	return out
}

// deepCopy copies src into dst, both of one of this package's types.
func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if !src.IsNil() {
			dst.Set(reflect.New(src.Type().Elem()))
			deepCopy(dst.Elem(), src.Elem())
		}
	case reflect.Slice:
		if !src.IsNil() {
			dst.Set(reflect.MakeSlice(src.Type(), src.Len(), src.Len()))
			for i := range src.Len() {
				deepCopy(dst.Index(i), src.Index(i))
			}
		}
	case reflect.Struct:
		if src.Type() == reflect.TypeFor[Extra]() {
			dst.Set(reflect.ValueOf(src.Interface().(Extra).clone()))
			return
		}
		for i := range src.NumField() {
			deepCopy(dst.Field(i), src.Field(i))
		}
	default:
		dst.Set(src)
	}
}
