package winrm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Error classes a caller can branch on with errors.Is.
var (
	// ErrUnreachable: the host could not be reached or the connection dropped.
	ErrUnreachable = errors.New("host unreachable")
	// ErrTLS: the TLS handshake failed, usually because the host's certificate is not trusted.
	ErrTLS = errors.New("TLS verification failed")
	// ErrAuth: the host rejected the credentials (HTTP 401 or 403).
	ErrAuth = errors.New("authentication rejected")
	// ErrTimeout: the host did not answer in time, or the context deadline passed.
	ErrTimeout = errors.New("timed out")
	// ErrCommandFailed: the host refused an operation with a SOAP fault, or a command the
	// package runs for itself (such as the copy in CopyFile) failed.
	ErrCommandFailed = errors.New("command failed")
)

// opError is a classified error whose message has been scrubbed of the password.
type opError struct {
	kind error
	msg  string
	err  error
}

func (e *opError) Error() string { return e.msg }

func (e *opError) Unwrap() []error {
	if e.err == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.err}
}

// transient reports whether err is worth retrying.
func transient(err error) bool {
	return errors.Is(err, ErrUnreachable) || errors.Is(err, ErrTimeout)
}

var (
	statusRe      = regexp.MustCompile(`http (?:response )?error:? (\d{3})`)
	faultCodeRe   = regexp.MustCompile(`<[a-zA-Z0-9]*:?Subcode>\s*<[a-zA-Z0-9]*:?Value>([^<]+)<`)
	faultReasonRe = regexp.MustCompile(`<[a-zA-Z0-9]*:?Text[^>]*>([^<]*)<`)
)

// classify turns an error from masterzen or the network into an opError naming what was
// being done (op) against which endpoint.
func (c *Client) classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var classified *opError
	if errors.As(err, &classified) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s on %s: %w", op, c.url, context.Canceled)
	}
	detail, kind := c.kindOf(err)
	msg := fmt.Sprintf("%s on %s: %v: %s", op, c.url, kind, detail)
	return &opError{kind: kind, msg: c.redact(msg), err: err}
}

func (c *Client) kindOf(err error) (detail string, kind error) {
	if errors.Is(err, context.DeadlineExceeded) {
		return "context deadline exceeded", ErrTimeout
	}
	if isTLSError(err) {
		return innermost(err), ErrTLS
	}
	if m := statusRe.FindStringSubmatch(err.Error()); m != nil {
		return c.kindOfStatus(m[1], err.Error())
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return innermost(err), ErrTimeout
	}
	return innermost(err), ErrUnreachable
}

func (c *Client) kindOfStatus(status, text string) (detail string, kind error) {
	code, _ := strconv.Atoi(status)
	switch {
	case code == 401 || code == 403:
		return fmt.Sprintf("user %q (%s): the host answered HTTP %d",
			c.cfg.Username, c.cfg.Auth, code), ErrAuth
	case strings.Contains(text, "w:TimedOut") || strings.Contains(text, "OperationTimeout"):
		return faultDetail(code, text), ErrTimeout
	case strings.Contains(text, "Fault>"):
		return faultDetail(code, text), ErrCommandFailed
	case code >= 500:
		return fmt.Sprintf("the host answered HTTP %d", code), ErrUnreachable
	default:
		return fmt.Sprintf("the host answered HTTP %d", code), ErrCommandFailed
	}
}

// faultDetail summarizes a SOAP fault as "fault SUBCODE: REASON".
func faultDetail(code int, text string) string {
	sub, reason := "", ""
	if m := faultCodeRe.FindStringSubmatch(text); m != nil {
		sub = strings.TrimSpace(m[1])
	}
	if m := faultReasonRe.FindStringSubmatch(text); m != nil {
		reason = strings.TrimSpace(m[1])
	}
	if sub == "" && reason == "" {
		return fmt.Sprintf("the host answered HTTP %d", code)
	}
	return fmt.Sprintf("fault %s: %s", sub, reason)
}

func isTLSError(err error) bool {
	var (
		verify    *tls.CertificateVerificationError
		record    tls.RecordHeaderError
		alert     tls.AlertError
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) ||
		errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		strings.Contains(err.Error(), "tls: ") ||
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// innermost returns the message of the deepest url.Error cause, which drops masterzen's
// "unknown error Post ..." prefixes.
func innermost(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error()
	}
	return err.Error()
}

// redact removes the password from a message, whatever produced it.
func (c *Client) redact(msg string) string {
	if c.cfg.Password == "" {
		return msg
	}
	return strings.ReplaceAll(msg, c.cfg.Password, "<redacted>")
}
