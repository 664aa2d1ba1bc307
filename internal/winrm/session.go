package winrm

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	mwinrm "github.com/masterzen/winrm"
)

const dialTimeout = 15 * time.Second

// errSessionClosed is what a dial returns once its session has been shut down.
var errSessionClosed = errors.New("winrm session closed")

// session is one masterzen client with connections of its own, so that cancelling one
// operation aborts exactly the requests of that operation. masterzen's HTTP requests carry no
// context; closing their connections is what interrupts a Receive the host holds open.
type session struct {
	mc    *mwinrm.Client
	conns *connSet
}

func (c *Client) newSession() (*session, error) {
	conns := &connSet{open: map[*trackedConn]struct{}{}}
	params := mwinrm.NewParameters(durationXSD(c.cfg.OperationTimeout), "en-US", envelopeSize)
	params.TransportDecorator = func() mwinrm.Transporter {
		if c.cfg.Auth == AuthBasic {
			return mwinrm.NewClientWithDial(conns.dial)
		}
		return mwinrm.NewClientNTLMWithDial(conns.dial)
	}
	mc, err := mwinrm.NewClientWithParameters(c.endpoint, c.cfg.Username, c.cfg.Password, params)
	if err != nil {
		return nil, fmt.Errorf("set up the WinRM transport: %w", err)
	}
	return &session{mc: mc, conns: conns}, nil
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
