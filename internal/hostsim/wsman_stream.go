package hostsim

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
)

// errTerminated is what a terminated command's streams return to the Executor.
var errTerminated = errors.New("the command was terminated")

const (
	// outputLimit is how much output a command may buffer before its writes block until a
	// Receive takes it, as a process blocks on a full pipe.
	outputLimit = 1 << 20
	// stdinLimit is how much stdin a command may buffer before Send requests block.
	stdinLimit = 1 << 20
	// mergeLimit bounds how large one buffered chunk grows from adjacent writes.
	mergeLimit = 64 << 10
)

// signal is a broadcast: waiters take wait() under the owner's lock; fire() wakes them all.
type signal struct{ ch chan struct{} }

func (s *signal) wait() <-chan struct{} {
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

func (s *signal) fire() {
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// chunk is a run of output from one stream.
type chunk struct {
	stream string
	data   []byte
}

// output buffers a command's stdout and stderr, in the order they were written, until a
// Receive takes them.
type output struct {
	mu       sync.Mutex
	changed  signal
	chunks   []chunk
	size     int
	finished bool // the Executor returned
	aborted  bool // the command was terminated; writes fail
	exitCode int
}

func (o *output) writer(stream string) io.Writer { return streamWriter{o, stream} }

type streamWriter struct {
	o      *output
	stream string
}

func (w streamWriter) Write(p []byte) (int, error) {
	o := w.o
	o.mu.Lock()
	defer o.mu.Unlock()
	for o.size >= outputLimit && !o.aborted {
		ch := o.changed.wait()
		o.mu.Unlock()
		<-ch
		o.mu.Lock()
	}
	if o.aborted {
		return 0, errTerminated
	}
	if n := len(o.chunks); n > 0 && o.chunks[n-1].stream == w.stream &&
		len(o.chunks[n-1].data) < mergeLimit {
		o.chunks[n-1].data = append(o.chunks[n-1].data, p...)
	} else {
		o.chunks = append(o.chunks, chunk{w.stream, append([]byte(nil), p...)})
	}
	o.size += len(p)
	o.changed.fire()
	return len(p), nil
}

func (o *output) finish(code int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.finished, o.exitCode = true, code
	o.changed.fire()
}

func (o *output) abort() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.aborted = true
	o.changed.fire()
}

// take waits until there is output or the command has finished, then returns up to limit
// bytes of output and whether everything, including the exit code, has been delivered. It
// returns ctx's error when ctx ends first.
func (o *output) take(ctx context.Context, limit int) (chunks []chunk, done bool, code int,
	err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for len(o.chunks) == 0 && !o.finished {
		ch := o.changed.wait()
		o.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			o.mu.Lock()
			return nil, false, 0, ctx.Err()
		}
		o.mu.Lock()
	}
	for len(o.chunks) > 0 && limit > 0 {
		c := o.chunks[0]
		if len(c.data) > limit {
			chunks = append(chunks, chunk{c.stream, c.data[:limit]})
			o.chunks[0].data = c.data[limit:]
			o.size -= limit
			break
		}
		chunks = append(chunks, c)
		o.chunks = o.chunks[1:]
		o.size -= len(c.data)
		limit -= len(c.data)
	}
	o.changed.fire()
	return chunks, o.finished && len(o.chunks) == 0, o.exitCode, nil
}

// stdinPipe carries Send data to the Executor, buffering up to stdinLimit.
type stdinPipe struct {
	mu      sync.Mutex
	changed signal
	buf     bytes.Buffer
	eof     bool // the client sent End
	closed  bool // the command ended; further input is discarded
}

// write appends p, waiting for room; it returns ctx's error if ctx ends first.
func (p *stdinPipe) write(ctx context.Context, data []byte, end bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.buf.Len() >= stdinLimit && !p.closed {
		ch := p.changed.wait()
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			p.mu.Lock()
			return ctx.Err()
		}
		p.mu.Lock()
	}
	if !p.closed {
		p.buf.Write(data)
		p.eof = p.eof || end
	}
	p.changed.fire()
	return nil
}

func (p *stdinPipe) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.buf.Len() == 0 && !p.eof && !p.closed {
		ch := p.changed.wait()
		p.mu.Unlock()
		<-ch
		p.mu.Lock()
	}
	if p.buf.Len() == 0 {
		return 0, io.EOF
	}
	n, _ := p.buf.Read(b)
	p.changed.fire()
	return n, nil
}

func (p *stdinPipe) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	p.buf.Reset()
	p.changed.fire()
}
