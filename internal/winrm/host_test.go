package winrm_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubectl-aksee/kubectl-aksee/internal/hostsim"
	"github.com/kubectl-aksee/kubectl-aksee/internal/winrm"
)

const (
	testUser     = "Administrator"
	testPassword = "Canary-Pa55word!"
)

// scriptExecutor is a test-only Executor. It understands winrm.CopyScript (writing files
// under root) and a line-based test language:
//
//	out TEXT   writes TEXT and a newline to stdout
//	err TEXT   writes TEXT and a newline to stderr
//	gate NAME  waits until the test opens the gate NAME
//	block      waits until the command is terminated
//	stdin      copies stdin to stdout
//	bulk N     writes N bytes of a counting pattern to stdout, in 10,000-byte writes
//	exit N     returns N
type scriptExecutor struct {
	root string
	// onCopyLine, when set, is called after each data line of a copy.
	onCopyLine func(n int)
	// badHash makes copies report a wrong hash.
	badHash bool
	// discard makes copies hash the bytes without writing a file.
	discard bool

	mu         sync.Mutex
	last       hostsim.Command
	gates      map[string]chan struct{}
	terminated chan struct{}
}

func newScriptExecutor(t testing.TB) *scriptExecutor {
	return &scriptExecutor{root: t.TempDir(), gates: map[string]chan struct{}{},
		terminated: make(chan struct{}, 16)}
}

func (e *scriptExecutor) gate(name string) chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gates[name] == nil {
		e.gates[name] = make(chan struct{})
	}
	return e.gates[name]
}

func (e *scriptExecutor) lastCommand() hostsim.Command {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.last
}

func (e *scriptExecutor) Execute(ctx context.Context, cmd hostsim.Command, stdin io.Reader,
	stdout, stderr io.Writer) int {
	e.mu.Lock()
	e.last = cmd
	e.mu.Unlock()
	if cmd.Script == winrm.CopyScript {
		return e.copyFile(stdin, stdout, stderr)
	}
	for _, line := range strings.Split(cmd.Script, "\n") {
		verb, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch verb {
		case "out":
			fmt.Fprintln(stdout, arg)
		case "err":
			fmt.Fprintln(stderr, arg)
		case "gate":
			select {
			case <-e.gate(arg):
			case <-ctx.Done():
				return 1
			}
		case "block":
			<-ctx.Done()
			e.terminated <- struct{}{}
			return 1
		case "stdin":
			_, _ = io.Copy(stdout, stdin)
		case "bulk":
			n, _ := strconv.Atoi(arg)
			for data := bulkPattern(n); len(data) > 0; data = data[min(10000, len(data)):] {
				if _, err := stdout.Write(data[:min(10000, len(data))]); err != nil {
					return 1
				}
			}
		case "exit":
			n, _ := strconv.Atoi(arg)
			return n
		}
	}
	return 0
}

// copyFile implements CopyScript's stdin protocol.
func (e *scriptExecutor) copyFile(stdin io.Reader, stdout, stderr io.Writer) int {
	in := bufio.NewReaderSize(stdin, 1<<20)
	head, err := in.ReadString('\n')
	if err != nil {
		fmt.Fprintln(stderr, "no path line:", err)
		return 1
	}
	rawPath, err := base64.StdEncoding.DecodeString(strings.TrimSpace(head))
	if err != nil {
		fmt.Fprintln(stderr, "path line:", err)
		return 1
	}
	f := io.Discard
	if !e.discard {
		path := filepath.Join(e.root, filepath.Base(strings.ReplaceAll(string(rawPath), `\`, "/")))
		file, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		defer file.Close()
		f = file
	}
	sum := sha256.New()
	for n := 1; ; n++ {
		line, err := in.ReadString('\n')
		if line = strings.TrimSpace(line); line != "" {
			data, derr := base64.StdEncoding.DecodeString(line)
			if derr != nil {
				fmt.Fprintln(stderr, "data line:", derr)
				return 1
			}
			_, _ = f.Write(data)
			sum.Write(data)
			if e.onCopyLine != nil {
				e.onCopyLine(n)
			}
		}
		if err != nil {
			break
		}
	}
	if e.badHash {
		sum.Write([]byte("corrupted"))
	}
	fmt.Fprintln(stdout, strings.ToUpper(hex.EncodeToString(sum.Sum(nil))))
	return 0
}

// startHost runs a simulated host with exec until the test ends.
func startHost(t testing.TB, exec hostsim.Executor, mutate func(*hostsim.ServerOptions)) *hostsim.Server {
	t.Helper()
	opts := hostsim.ServerOptions{Username: testUser, Password: testPassword, Executor: exec}
	if mutate != nil {
		mutate(&opts)
	}
	srv, err := hostsim.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// clientFor returns a client for srv that trusts its CA.
func clientFor(t testing.TB, srv *hostsim.Server, mutate func(*winrm.Config)) *winrm.Client {
	t.Helper()
	host, port, err := winrm.SplitHostPort(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	cfg := winrm.Config{
		Host: host, Port: port, HTTP: strings.HasPrefix(srv.URL(), "http:"),
		CACert: srv.CACertPEM(), Username: testUser, Password: testPassword,
		OperationTimeout: 5 * time.Second,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := winrm.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return port
}

// bulkPattern returns n bytes in which every 4-byte group holds its own index, so that lost,
// repeated or reordered output shows.
func bulkPattern(n int) []byte {
	b := make([]byte, n+3)
	for i := 0; i < n; i += 4 {
		binary.BigEndian.PutUint32(b[i:], uint32(i/4))
	}
	return b[:n]
}
