package winrm

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	mwinrm "github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

const dialTimeout = 15 * time.Second

// errSessionClosed is what a dial returns once its session has been shut down.
var errSessionClosed = errors.New("winrm session closed")

// session is one masterzen client with connections of its own, so that cancelling one
// operation aborts exactly the requests of that operation. masterzen's HTTP requests carry no
// context; closing their connections is what interrupts a Receive the host holds open.
//
// Requests travel in three lanes, each with its own connections and one request at a time:
// masterzen's own (create, command, receive, delete), stdin, and the terminate signal. NTLM
// authenticates a connection, not a request, and its handshake must stay on one connection;
// concurrent requests sharing a pool could carry a handshake's steps on different ones.
type session struct {
	mc      *mwinrm.Client
	params  *mwinrm.Parameters
	conns   *connSet
	url     string
	main    *lane
	input   *lane
	control *lane
}

func (c *Client) newSession() (*session, error) {
	s := &session{conns: &connSet{open: map[*trackedConn]struct{}{}}, url: c.url}
	s.params = mwinrm.NewParameters(durationXSD(c.cfg.OperationTimeout), "en-US", envelopeSize)
	newLane := func() *lane {
		if c.cfg.Auth == AuthBasic {
			return &lane{Transporter: mwinrm.NewClientWithDial(s.conns.dial)}
		}
		return &lane{Transporter: mwinrm.NewClientNTLMWithDial(s.conns.dial)}
	}
	s.main, s.input, s.control = newLane(), newLane(), newLane()
	s.main.record = true
	s.params.TransportDecorator = func() mwinrm.Transporter { return s.main }
	for _, l := range []*lane{s.input, s.control} {
		if err := l.Transport(c.endpoint); err != nil {
			return nil, fmt.Errorf("set up the WinRM transport: %w", err)
		}
	}
	mc, err := mwinrm.NewClientWithParameters(c.endpoint, c.cfg.Username, c.cfg.Password, s.params)
	if err != nil {
		return nil, fmt.Errorf("set up the WinRM transport: %w", err)
	}
	s.mc = mc
	return s, nil
}

// send sends a piece of stdin to the session's command; eof marks the end of stdin.
func (s *session) send(data []byte, eof bool) error {
	shellID, commandID := s.main.ids()
	req := mwinrm.NewSendInputRequest(s.url, shellID, commandID, data, eof, s.params)
	_, err := s.input.Post(s.mc, req)
	return err
}

// terminate signals the session's command to terminate. masterzen's Command.Close does the
// same but may not be called while its output loop runs, which is when a context is
// cancelled.
func (s *session) terminate() error {
	shellID, commandID := s.main.ids()
	if commandID == "" {
		return errors.New("no command to terminate")
	}
	_, err := s.control.Post(s.mc, mwinrm.NewSignalRequest(s.url, shellID, commandID, s.params))
	return err
}

// lane serializes the requests of one masterzen transport and, for the main lane, notes the
// shell and command ids, which masterzen keeps private: the first successful response of a
// session creates its shell, the second its command.
type lane struct {
	mwinrm.Transporter
	busy   sync.Mutex // held for a whole request
	record bool       // note the ids

	mu                 sync.Mutex
	shellID, commandID string
}

// Post sends one request.
func (l *lane) Post(c *mwinrm.Client, m *soap.SoapMessage) (string, error) {
	l.busy.Lock()
	resp, err := l.Transporter.Post(c, m)
	l.busy.Unlock()
	if err != nil || !l.record {
		return resp, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.shellID == "":
		l.shellID, _ = mwinrm.ParseOpenShellResponse(resp)
	case l.commandID == "":
		l.commandID, _ = mwinrm.ParseExecuteCommandResponse(resp)
	}
	return resp, nil
}

func (l *lane) ids() (shellID, commandID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.shellID, l.commandID
}

// connSet tracks the connections a session dialed.
type connSet struct {
	mu     sync.Mutex
	open   map[*trackedConn]struct{}
	closed bool
}

func (s *connSet) dial(network, addr string) (net.Conn, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, errSessionClosed
	}
	conn, err := net.DialTimeout(network, addr, dialTimeout)
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: conn, set: s}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		_ = conn.Close()
		return nil, errSessionClosed
	}
	s.open[tc] = struct{}{}
	return tc, nil
}

// closeAll closes the open connections; later requests dial new ones.
func (s *connSet) closeAll() {
	s.mu.Lock()
	conns := make([]*trackedConn, 0, len(s.open))
	for c := range s.open {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

// shutdown closes the open connections and refuses new ones.
func (s *connSet) shutdown() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.closeAll()
}

type trackedConn struct {
	net.Conn
	set  *connSet
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.set.mu.Lock()
		delete(c.set.open, c)
		c.set.mu.Unlock()
	})
	return c.Conn.Close()
}
