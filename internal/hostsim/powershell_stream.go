package hostsim

import (
	"bufio"
	"io"
	"strings"
)

// consoleIn is [Console]::In: the command's stdin as a TextReader.
func (s *session) consoleIn() *Object {
	if s.console == nil {
		in := s.stdin
		if in == nil {
			in = strings.NewReader("")
		}
		s.console = bufio.NewReaderSize(in, 1<<20)
	}
	r := s.console
	o := NewObject("System.IO.SyncTextReader")
	o.Method("ReadLine", func([]any) (any, error) {
		line, err := r.ReadString('\n')
		if line == "" && err != nil {
			return nil, nil
		}
		return strings.TrimRight(line, "\r\n"), nil
	})
	o.Method("ReadToEnd", func([]any) (any, error) {
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, throwf("%v", err)
		}
		return string(data), nil
	})
	return o
}

// fileStream is [IO.File]::Create(path): writes append to the file in place.
func (s *session) fileStream(path string) (*Object, error) {
	if err := s.m.writeFile(path, nil); err != nil {
		return nil, err
	}
	o := NewObject("System.IO.FileStream", "Name", path)
	closed := false
	o.Method("Write", func(args []any) (any, error) {
		if closed {
			return nil, throwf("Cannot access a closed file.")
		}
		b, _ := argAt(args, 0).([]byte)
		off, _ := toInt(argAt(args, 1))
		n, _ := toInt(argAt(args, 2))
		if off < 0 || n < 0 || off+n > int64(len(b)) {
			return nil, throwf("Offset and length were out of bounds for the array.")
		}
		s.m.appendBytes(path, b[off:off+n])
		return nil, nil
	})
	done := func([]any) (any, error) { closed = true; return nil, nil }
	o.Method("Dispose", done)
	o.Method("Close", done)
	o.Method("Flush", func([]any) (any, error) { return nil, nil })
	return o, nil
}
