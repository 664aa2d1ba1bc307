// Package winrm runs PowerShell on a Windows host and copies files to it over WinRM
// (WS-Management), on top of github.com/masterzen/winrm.
//
// Every operation opens its own shell, so operations are independent and may run in parallel.
// Failures are classified into the sentinel errors ErrUnreachable, ErrTLS, ErrAuth, ErrTimeout
// and ErrCommandFailed; the transient classes (unreachable, timeout) are retried with backoff
// while no command has started on the host, never once it has. Error messages never contain
// the password.
package winrm

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	mwinrm "github.com/masterzen/winrm"
)

// Default ports of the WinRM listeners.
const (
	DefaultHTTPSPort = 5986
	DefaultHTTPPort  = 5985
)

// Authentication schemes.
const (
	AuthNTLM  = "ntlm"
	AuthBasic = "basic"
)

const (
	defaultOperationTimeout = 60 * time.Second
	defaultRetry            = 30 * time.Second
	// envelopeSize matches the 500 KB MaxEnvelopeSizekb of a default Windows host; requests
	// are kept below it.
	envelopeSize = 500 * 1024
)

// Config says how to reach and authenticate to a host.
type Config struct {
	Host string
	// Port is the listener port; 0 means 5986 for HTTPS and 5985 for HTTP.
	Port int
	// HTTP selects plain HTTP; the default is HTTPS with certificate verification.
	HTTP bool
	// Insecure skips TLS certificate verification.
	Insecure bool
	// CACert holds PEM certificates to trust for the host's certificate instead of the
	// system roots.
	CACert []byte
	// Auth is AuthNTLM (the default, what a Windows host offers out of the box) or AuthBasic.
	Auth               string
	Username, Password string
	// OperationTimeout is how long the host holds a Receive open waiting for output; 0 means
	// 60s.
	OperationTimeout time.Duration
	// ResponseTimeout bounds the wait for any HTTP response; 0 means OperationTimeout + 30s.
	ResponseTimeout time.Duration
	// Retry bounds how long transient failures (unreachable, timeout) are retried before a
	// command starts; 0 means 30s, a negative value disables retries.
	Retry time.Duration
}

// Client runs operations against one host. It is safe for concurrent use.
type Client struct {
	cfg      Config
	endpoint *mwinrm.Endpoint
	url      string
}

// New checks cfg and returns a Client. It does not connect.
func New(cfg Config) (*Client, error) {
	if err := cfg.complete(); err != nil {
		return nil, err
	}
	ep := mwinrm.NewEndpoint(cfg.Host, cfg.Port, !cfg.HTTP, cfg.Insecure, cfg.CACert, nil, nil,
		cfg.ResponseTimeout)
	scheme := "https"
	if cfg.HTTP {
		scheme = "http"
	}
	url := fmt.Sprintf("%s://%s/wsman", scheme, net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	return &Client{cfg: cfg, endpoint: ep, url: url}, nil
}

// URL returns the WS-Management endpoint the client talks to.
func (c *Client) URL() string { return c.url }

// Username returns the user the client authenticates as.
func (c *Client) Username() string { return c.cfg.Username }

func (cfg *Config) complete() error {
	if cfg.Host == "" {
		return errors.New("winrm host is empty")
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultHTTPSPort
		if cfg.HTTP {
			cfg.Port = DefaultHTTPPort
		}
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return fmt.Errorf("winrm port %d is out of range", cfg.Port)
	}
	cfg.Auth = strings.ToLower(cfg.Auth)
	if cfg.Auth == "" {
		cfg.Auth = AuthNTLM
	}
	if cfg.Auth != AuthNTLM && cfg.Auth != AuthBasic {
		return fmt.Errorf("winrm auth %q is not one of %q, %q", cfg.Auth, AuthNTLM, AuthBasic)
	}
	if cfg.Username == "" {
		return errors.New("winrm username is empty")
	}
	if len(cfg.CACert) > 0 && !x509.NewCertPool().AppendCertsFromPEM(cfg.CACert) {
		return errors.New("winrm CA certificate holds no PEM certificate")
	}
	if cfg.OperationTimeout <= 0 {
		cfg.OperationTimeout = defaultOperationTimeout
	}
	if cfg.ResponseTimeout <= 0 {
		cfg.ResponseTimeout = cfg.OperationTimeout + 30*time.Second
	}
	if cfg.Retry == 0 {
		cfg.Retry = defaultRetry
	}
	return nil
}

// SplitHostPort splits "HOST" or "HOST:PORT" (IPv6 addresses in brackets when a port
// follows); port is 0 when absent.
func SplitHostPort(s string) (host string, port int, err error) {
	if s == "" {
		return "", 0, errors.New("host is empty")
	}
	h, p, splitErr := net.SplitHostPort(s)
	if splitErr != nil {
		// No port: a plain name, an IPv4 address or a bare IPv6 address.
		return strings.Trim(s, "[]"), 0, nil
	}
	port, err = strconv.Atoi(p)
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("host %q has an invalid port %q", s, p)
	}
	if h == "" {
		return "", 0, fmt.Errorf("host %q has no name", s)
	}
	return h, port, nil
}

// durationXSD renders d as an xs:duration such as PT60S or PT1.500S.
func durationXSD(d time.Duration) string {
	ms := d.Milliseconds()
	if ms%1000 == 0 {
		return fmt.Sprintf("PT%dS", ms/1000)
	}
	return fmt.Sprintf("PT%d.%03dS", ms/1000, ms%1000)
}
