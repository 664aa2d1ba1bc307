package hostsim

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Azure/go-ntlmssp"
	mwinrm "github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

const (
	testUser     = "Administrator"
	testPassword = "p@ss-w0rd"
)

// blockExecutor is a test-only Executor that writes "started", then waits to be terminated
// and reports that on terminated.
type blockExecutor struct{ terminated chan struct{} }

func (e blockExecutor) Execute(ctx context.Context, _ Command, _ io.Reader, stdout, _ io.Writer) int {
	_, _ = io.WriteString(stdout, "started")
	<-ctx.Done()
	close(e.terminated)
	return 1
}

func startPlain(t *testing.T, exec Executor) *Server {
	t.Helper()
	if exec == nil {
		exec = blockExecutor{make(chan struct{})}
	}
	s, err := NewServer(ServerOptions{HTTP: true, Username: testUser, Password: testPassword,
		Executor: exec})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// post sends a SOAP message with Basic credentials and returns the status and body.
func post(t *testing.T, s *Server, msg string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL(), strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(testUser, testPassword)
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var idRe = regexp.MustCompile(`<rsp:(?:ShellId|CommandId)>([^<]+)<`)

func mustID(t *testing.T, body string) string {
	t.Helper()
	m := idRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no id in %s", body)
	}
	return m[1]
}

func params(timeout string) *mwinrm.Parameters {
	return mwinrm.NewParameters(timeout, "en-US", 153600)
}

func msgString(m *soap.SoapMessage) string { return m.String() }

func TestFaults(t *testing.T) {
	s := startPlain(t, nil)
	_, created := post(t, s, msgString(mwinrm.NewOpenShellRequest(s.URL(), nil)))
	shellID := mustID(t, created)
	_, started := post(t, s, msgString(mwinrm.NewExecuteCommandRequest(s.URL(), shellID,
		"powershell.exe -EncodedCommand AAAA", nil, nil)))
	commandID := mustID(t, started)
	// Take the command's only output so that the next Receive has nothing to return.
	post(t, s, msgString(mwinrm.NewGetOutputRequest(s.URL(), shellID, commandID, "stdout stderr", nil)))

	cases := []struct {
		name    string
		msg     string
		subcode string
	}{
		{name: "an unknown shell is an invalid selector",
			msg:     msgString(mwinrm.NewDeleteShellRequest(s.URL(), "NO-SUCH-SHELL", nil)),
			subcode: "w:InvalidSelectors"},
		{name: "an unknown command is an invalid selector",
			msg: msgString(mwinrm.NewGetOutputRequest(s.URL(), shellID, "NO-SUCH-COMMAND",
				"stdout stderr", nil)),
			subcode: "w:InvalidSelectors"},
		{name: "a receive without output times out after the OperationTimeout",
			msg: msgString(mwinrm.NewGetOutputRequest(s.URL(), shellID, commandID, "stdout stderr",
				params("PT0.2S"))),
			subcode: "w:TimedOut"},
		{name: "a request over the envelope limit is refused",
			msg:     strings.Repeat("x", maxEnvelope+1),
			subcode: "w:EncodingLimit"},
		{name: "a request that is not SOAP is refused",
			msg:     "<not-soap/>",
			subcode: "w:SchemaValidationError"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, s, tc.msg)
			if status != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", status)
			}
			if !strings.Contains(body, "<s:Value>"+tc.subcode+"</s:Value>") ||
				!strings.Contains(body, actionFault) {
				t.Errorf("body %s is not a %s fault", body, tc.subcode)
			}
		})
	}
}

func TestDeleteShellTerminatesItsCommands(t *testing.T) {
	exec := blockExecutor{make(chan struct{})}
	s := startPlain(t, exec)
	_, created := post(t, s, msgString(mwinrm.NewOpenShellRequest(s.URL(), nil)))
	shellID := mustID(t, created)
	post(t, s, msgString(mwinrm.NewExecuteCommandRequest(s.URL(), shellID, "cmd /c pause", nil, nil)))
	if status, body := post(t, s, msgString(mwinrm.NewDeleteShellRequest(s.URL(), shellID, nil))); status != 200 {
		t.Fatalf("delete: %d %s", status, body)
	}
	select {
	case <-exec.terminated:
	case <-time.After(5 * time.Second):
		t.Fatal("the command still runs after its shell was deleted")
	}
}

func TestNTLMAuthenticatesTheConnection(t *testing.T) {
	s := startPlain(t, nil)
	transport := &http.Transport{MaxConnsPerHost: 1}
	defer transport.CloseIdleConnections()
	do := func(rt http.RoundTripper, basic bool) int {
		req, _ := http.NewRequest(http.MethodPost, s.URL(),
			strings.NewReader(msgString(mwinrm.NewOpenShellRequest(s.URL(), nil))))
		if basic {
			req.SetBasicAuth(testUser, testPassword) // the negotiator turns it into NTLM
		}
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := do(ntlmssp.Negotiator{RoundTripper: transport}, true); got != 200 {
		t.Fatalf("NTLM handshake: status %d", got)
	}
	if got := do(transport, false); got != 200 {
		t.Errorf("a later request on the authenticated connection: status %d, want 200", got)
	}
	transport.CloseIdleConnections()
	if got := do(transport, false); got != 401 {
		t.Errorf("a request on a new connection: status %d, want 401", got)
	}
}

func TestOutageRefusesConnectionsThenRecovers(t *testing.T) {
	s := startPlain(t, nil)
	s.Outage(500 * time.Millisecond)
	if _, err := http.Get(s.URL()); err == nil {
		t.Fatal("the host answered during the outage")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get(s.URL())
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the host is still down: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRebootEndsShells(t *testing.T) {
	s := startPlain(t, nil)
	_, created := post(t, s, msgString(mwinrm.NewOpenShellRequest(s.URL(), nil)))
	shellID := mustID(t, created)
	s.Reboot(200 * time.Millisecond)
	time.Sleep(400 * time.Millisecond)
	status, body := post(t, s, msgString(mwinrm.NewDeleteShellRequest(s.URL(), shellID, nil)))
	if status != 500 || !strings.Contains(body, "w:InvalidSelectors") {
		t.Errorf("the shell survived the reboot: %d %s", status, body)
	}
}

func TestListenIsLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:5986", ":5986"} {
		_, err := NewServer(ServerOptions{Listen: addr, Username: testUser, Executor: blockExecutor{}})
		if err == nil {
			t.Errorf("listen %q was accepted", addr)
		}
	}
}
