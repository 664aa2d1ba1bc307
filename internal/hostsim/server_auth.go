package hostsim

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"k8s.io/klog/v2"
)

// connAuth is the authentication state of one connection. NTLM authenticates the
// connection, not the request: after the handshake, later requests on the same connection
// need no Authorization header, as with Windows' HTTP.sys.
type connAuth struct {
	mu        sync.Mutex
	challenge *[8]byte
	user      string
}

type connAuthKey struct{}

func withConnAuth(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connAuthKey{}, &connAuth{})
}

func connAuthOf(r *http.Request) *connAuth {
	if ca, ok := r.Context().Value(connAuthKey{}).(*connAuth); ok {
		return ca
	}
	return &connAuth{}
}

// authenticate returns the authenticated user, or "" after answering the request itself
// (a 401 with a challenge or a refusal).
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) string {
	if s.opts.Reject401 {
		s.unauthorized(w, r, "Reject401 is on")
		return ""
	}
	ca := connAuthOf(r)
	header := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(header, " ")
	switch strings.ToLower(scheme) {
	case "":
		ca.mu.Lock()
		user := ca.user
		ca.mu.Unlock()
		if user == "" {
			s.unauthorized(w, r, "")
		}
		return user
	case "basic":
		if s.opts.DisableBasic {
			s.unauthorized(w, r, "basic authentication is disabled")
			return ""
		}
		return s.basic(w, r, token)
	case "negotiate", "ntlm":
		return s.ntlm(w, r, ca, scheme, token)
	default:
		s.unauthorized(w, r, "unsupported scheme "+scheme)
		return ""
	}
}

func (s *Server) basic(w http.ResponseWriter, r *http.Request, token string) string {
	raw, err := base64.StdEncoding.DecodeString(token)
	user, password, ok := strings.Cut(string(raw), ":")
	if err != nil || !ok || !s.isUser(user) ||
		subtle.ConstantTimeCompare([]byte(password), []byte(s.opts.Password)) != 1 {
		s.unauthorized(w, r, "basic credentials rejected for user "+quoteUser(user))
		return ""
	}
	return user
}

func (s *Server) ntlm(w http.ResponseWriter, r *http.Request, ca *connAuth,
	scheme, token string) string {
	msg, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		s.unauthorized(w, r, "NTLM token is not base64")
		return ""
	}
	kind, err := ntlmMessageType(msg)
	if err != nil {
		s.unauthorized(w, r, err.Error())
		return ""
	}
	ca.mu.Lock()
	defer ca.mu.Unlock()
	switch kind {
	case ntlmNegotiate:
		c := newChallenge()
		ca.challenge, ca.user = &c, ""
		reply := ntlmChallengeMessage(s.opts.ComputerName, c, time.Now())
		discardBody(r)
		w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(reply))
		w.WriteHeader(http.StatusUnauthorized)
		return ""
	case ntlmAuthenticate:
		user, err := s.checkNTLM(ca, msg)
		if err != nil {
			s.unauthorized(w, r, err.Error())
			return ""
		}
		ca.user = user
		return user
	default:
		s.unauthorized(w, r, "unexpected NTLM message")
		return ""
	}
}

func (s *Server) checkNTLM(ca *connAuth, msg []byte) (string, error) {
	challenge := ca.challenge
	ca.challenge = nil
	if challenge == nil {
		return "", errorString("NTLM AUTHENTICATE without a challenge on this connection")
	}
	auth, err := parseNTLMAuthenticate(msg)
	if err != nil {
		return "", err
	}
	if !s.isUser(auth.user) {
		return "", errorString("unknown user " + quoteUser(auth.user))
	}
	if err := verifyNTLMv2(auth, s.opts.Password, *challenge, time.Now()); err != nil {
		return "", errorString("user " + quoteUser(auth.user) + ": " + err.Error())
	}
	return auth.user, nil
}

// isUser accepts the configured name with or without a domain (".\" or "HOST\" prefix),
// case-insensitively, as Windows does for local accounts.
func (s *Server) isUser(user string) bool {
	if i := strings.LastIndex(user, `\`); i >= 0 {
		user = user[i+1:]
	}
	want := s.opts.Username
	if i := strings.LastIndex(want, `\`); i >= 0 {
		want = want[i+1:]
	}
	return strings.EqualFold(user, want)
}

func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request, why string) {
	if why != "" {
		klog.V(2).InfoS("Simulated host refused a request", "remote", r.RemoteAddr, "reason", why)
	}
	discardBody(r)
	w.Header().Add("WWW-Authenticate", "Negotiate")
	if !s.opts.DisableBasic {
		w.Header().Add("WWW-Authenticate", `Basic realm="WSMAN"`)
	}
	w.WriteHeader(http.StatusUnauthorized)
}

type errorString string

func (e errorString) Error() string { return string(e) }

func quoteUser(u string) string { return `"` + u + `"` }
