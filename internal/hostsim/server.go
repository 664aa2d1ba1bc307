// Package hostsim simulates a Windows host with AKS Edge Essentials installed, for tests,
// benchmarks and the demo. Its transport half (server*.go, ntlm*.go, wsman*.go) is a
// WS-Management server on the loopback interface speaking the WinRS shell protocol that
// WinRM clients use, over HTTPS with a generated certificate or plain HTTP, with NTLM and
// Basic authentication; the commands it receives run through an Executor.
package hostsim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"k8s.io/klog/v2"
)

// Command is a command line a client started in a shell.
type Command struct {
	// Line is the command line as sent, arguments included.
	Line string
	// Script is the decoded -EncodedCommand text when Line runs powershell.exe, else "".
	// When that text is winrm.BootstrapScript, the server has already read and unpacked the
	// real script from stdin: Script holds it and the Executor's stdin is empty.
	Script string
}

// Executor runs commands on the simulated host.
type Executor interface {
	// Execute runs cmd, reading its stdin and writing its output, and returns its exit code.
	// ctx is cancelled when the client terminates the command or deletes its shell; writes
	// to stdout and stderr then fail. Execute may be called concurrently.
	Execute(ctx context.Context, cmd Command, stdin io.Reader, stdout, stderr io.Writer) int
}

// ExecutorFunc adapts a function to Executor.
type ExecutorFunc func(ctx context.Context, cmd Command, stdin io.Reader,
	stdout, stderr io.Writer) int

// Execute calls f.
func (f ExecutorFunc) Execute(ctx context.Context, cmd Command, stdin io.Reader,
	stdout, stderr io.Writer) int {
	return f(ctx, cmd, stdin, stdout, stderr)
}

// ServerOptions configures a Server.
type ServerOptions struct {
	// Listen is the address to listen on, "127.0.0.1:0" by default; only loopback addresses
	// are accepted.
	Listen string
	// HTTP serves plain HTTP instead of HTTPS with a generated certificate.
	HTTP bool
	// Username and Password are the one account the host accepts, through NTLM or Basic.
	Username, Password string
	// ComputerName is the host's NetBIOS name, used in NTLM challenges, SOAP faults and the
	// certificate; "HOSTSIM" by default.
	ComputerName string
	// Executor runs the commands.
	Executor Executor
	// SlowResponses delays every response by this much.
	SlowResponses time.Duration
	// Reject401 answers every request with 401 Unauthorized, whatever the credentials.
	Reject401 bool
	// DisableBasic refuses Basic authentication, as a Windows host does by default.
	DisableBasic bool
}

// Server is a simulated WinRM endpoint. Its methods are safe for concurrent use.
type Server struct {
	opts    ServerOptions
	tls     *tls.Config
	caPEM   []byte
	shells  shells
	handler http.Handler

	mu       sync.Mutex
	addr     string
	srv      *http.Server
	serving  sync.WaitGroup
	upAt     time.Time
	reopen   *time.Timer
	closed   bool
	started  bool
	listenFn func(addr string) (net.Listener, error)
}

// NewServer checks opts and prepares a server; Start makes it listen.
func NewServer(opts ServerOptions) (*Server, error) {
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if err := checkLoopback(opts.Listen); err != nil {
		return nil, err
	}
	if opts.Username == "" {
		return nil, errors.New("hostsim server needs a username")
	}
	if opts.Executor == nil {
		return nil, errors.New("hostsim server needs an executor")
	}
	if opts.ComputerName == "" {
		opts.ComputerName = "HOSTSIM"
	}
	s := &Server{opts: opts, addr: opts.Listen, listenFn: listenTCP}
	s.handler = http.HandlerFunc(s.serveHTTP)
	if !opts.HTTP {
		cfg, caPEM, err := newTLSConfig(opts.ComputerName)
		if err != nil {
			return nil, fmt.Errorf("generate certificate: %w", err)
		}
		s.tls, s.caPEM = cfg, caPEM
	}
	return s, nil
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("listen address %q is not a loopback address", addr)
	}
	return nil
}

func listenTCP(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }

// Start listens and serves in the background.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("hostsim server already started")
	}
	if err := s.serveLocked(); err != nil {
		return err
	}
	s.started = true
	return nil
}

// serveLocked opens the listener on s.addr (fixing the port on first use) and serves it.
func (s *Server) serveLocked() error {
	ln, err := s.listenFn(s.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.addr, err)
	}
	s.addr = ln.Addr().String()
	if s.tls != nil {
		ln = tls.NewListener(ln, s.tls)
	}
	srv := &http.Server{
		Handler:           s.handler,
		ConnContext:       withConnAuth,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.New(klogWriter{}, "", 0),
	}
	s.srv = srv
	s.serving.Add(1)
	go func() {
		defer s.serving.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			klog.V(2).InfoS("Simulated WinRM listener stopped", "addr", s.addr, "err", err)
		}
	}()
	return nil
}

// Close stops the server, terminates every command and waits for the Executor calls to
// return (up to 10 seconds).
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	if s.reopen != nil {
		s.reopen.Stop()
	}
	var err error
	if s.srv != nil {
		err = s.srv.Close()
		s.srv = nil
	}
	s.mu.Unlock()
	s.serving.Wait()
	s.shells.removeAll()
	done := make(chan struct{})
	go func() { s.shells.execWG.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		klog.InfoS("Simulated host commands still running after close", "addr", s.addr)
	}
	return err
}

// Addr returns the host:port the server listens on.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// URL returns the WS-Management endpoint, such as https://127.0.0.1:5986/wsman.
func (s *Server) URL() string {
	scheme := "https"
	if s.opts.HTTP {
		scheme = "http"
	}
	return scheme + "://" + s.Addr() + "/wsman"
}

// CACertPEM returns the PEM certificate of the CA that signed the server's certificate, or
// nil for a plain HTTP server.
func (s *Server) CACertPEM() []byte { return s.caPEM }

// Outage drops every open connection and refuses new ones for d, as a host whose network
// goes away does. Shells and running commands survive it. Overlapping outages extend each
// other.
func (s *Server) Outage(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || !s.started {
		return
	}
	klog.V(2).InfoS("Simulating a network outage", "addr", s.addr, "duration", d)
	if up := time.Now().Add(d); up.After(s.upAt) {
		s.upAt = up
	}
	if s.srv != nil {
		_ = s.srv.Close()
		s.srv = nil
	}
	if s.reopen == nil {
		s.reopen = time.AfterFunc(d, s.comeBack)
	} else {
		s.reopen.Reset(time.Until(s.upAt))
	}
}

// Reboot is an Outage that also ends every shell and command, as a restart does.
func (s *Server) Reboot(d time.Duration) {
	s.Outage(d)
	s.shells.removeAll()
}

// comeBack listens again on the same address after an outage.
func (s *Server) comeBack() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.srv != nil {
		return
	}
	if wait := time.Until(s.upAt); wait > 0 {
		s.reopen.Reset(wait)
		return
	}
	if err := s.serveLocked(); err != nil {
		klog.InfoS("Simulated host could not listen again, retrying", "addr", s.addr, "err", err)
		s.reopen.Reset(100 * time.Millisecond)
	}
}

// klogWriter sends the HTTP server's own messages (TLS handshake errors and the like) to
// klog at -v=3, where a test's deliberate failures do not clutter the output.
type klogWriter struct{}

func (klogWriter) Write(p []byte) (int, error) {
	klog.V(3).InfoS("Simulated WinRM listener", "msg", strings.TrimSpace(string(p)))
	return len(p), nil
}
