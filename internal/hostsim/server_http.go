package hostsim

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"k8s.io/klog/v2"
)

const (
	// maxEnvelope is the request size limit of a default Windows host (MaxEnvelopeSizekb 500).
	maxEnvelope = 500 * 1024
	// defaultOperationTimeout applies when a request names none.
	defaultOperationTimeout = 60 * time.Second
	// maxOperationTimeout caps how long a Receive is held open.
	maxOperationTimeout = 10 * time.Minute
)

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.delay(r) {
		return
	}
	if r.URL.Path != "/wsman" {
		discardBody(r)
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		discardBody(r)
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	user := s.authenticate(w, r)
	if user == "" {
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxEnvelope+1))
	if err != nil {
		return
	}
	if len(data) > maxEnvelope {
		discardBody(r)
		s.writeFault(w, "", faultTooLarge(maxEnvelope))
		return
	}
	req, err := parseRequest(data)
	if err != nil {
		s.writeFault(w, "", faultBadRequest("The request is not a SOAP envelope: "+err.Error()))
		return
	}
	s.dispatch(w, r, req, user)
}

// delay applies SlowResponses; it returns false when the client went away meanwhile.
func (s *Server) delay(r *http.Request) bool {
	if s.opts.SlowResponses <= 0 {
		return true
	}
	t := time.NewTimer(s.opts.SlowResponses)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, req *request, user string) {
	action := req.Header.Action
	klog.V(4).InfoS("WS-Management request", "action", action, "shellID", req.selector("ShellId"))
	if action != actionCreate && req.Header.ResourceURI != resourceCmd {
		s.writeFault(w, req.Header.MessageID, faultUnsupported(action+" on "+req.Header.ResourceURI))
		return
	}
	var body string
	var err error
	switch action {
	case actionCreate:
		body = s.createShell(user)
	case actionDelete:
		err = s.shells.remove(req.selector("ShellId"))
	case actionCommand:
		body, err = s.startCommand(req)
	case actionReceive:
		body, err = s.receive(r, req)
	case actionSend:
		body, err = s.send(r, req)
	case actionSignal:
		body, err = s.signal(req)
	default:
		err = faultUnsupported(action)
	}
	if r.Context().Err() != nil {
		return // the client is gone
	}
	var f *fault
	if errors.As(err, &f) {
		s.writeFault(w, req.Header.MessageID, f)
		return
	}
	writeSOAP(w, http.StatusOK, envelope(action+"Response", req.Header.MessageID, body))
}

func (s *Server) createShell(user string) string {
	sh := s.shells.create(user)
	return `<x:ResourceCreated><a:Address>` + escape(s.URL()) + `</a:Address><a:ReferenceParameters>` +
		`<w:ResourceURI>` + resourceCmd + `</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">` +
		sh.id + `</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>` +
		`<rsp:Shell><rsp:ShellId>` + sh.id + `</rsp:ShellId><rsp:ResourceUri>` + resourceCmd +
		`</rsp:ResourceUri><rsp:Owner>` + escape(user) + `</rsp:Owner><rsp:IdleTimeOut>PT7200.000S` +
		`</rsp:IdleTimeOut><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr` +
		`</rsp:OutputStreams></rsp:Shell>`
}

func (s *Server) startCommand(req *request) (string, error) {
	sh, err := s.shells.get(req.selector("ShellId"))
	if err != nil {
		return "", err
	}
	cl := req.Body.CommandLine
	if cl == nil || strings.TrimSpace(cl.Command) == "" {
		return "", faultBadRequest("The Command request has no command line.")
	}
	line := strings.Join(append([]string{strings.TrimSpace(cl.Command)}, cl.Arguments...), " ")
	c := s.shells.start(sh, s.opts.Executor, line)
	return `<rsp:CommandResponse><rsp:CommandId>` + c.id +
		`</rsp:CommandId></rsp:CommandResponse>`, nil
}

func (s *Server) lookup(req *request, commandID string) (*command, error) {
	sh, err := s.shells.get(req.selector("ShellId"))
	if err != nil {
		return nil, err
	}
	return sh.command(commandID)
}

// receive waits for output, the end of the command or the OperationTimeout.
func (s *Server) receive(r *http.Request, req *request) (string, error) {
	if req.Body.Receive == nil {
		return "", faultBadRequest("The Receive request has no DesiredStream.")
	}
	id := req.Body.Receive.DesiredStream.CommandID
	c, err := s.lookup(req, id)
	if err != nil {
		return "", err
	}
	timeout := min(req.operationTimeout(defaultOperationTimeout), maxOperationTimeout)
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	// Base64 grows output by 4/3; leave room for the envelope around it.
	limit := (req.maxEnvelope(maxEnvelope) - 4096) * 3 / 4
	chunks, done, code, err := c.out.take(ctx, limit)
	if err != nil {
		return "", faultTimedOut()
	}
	return receiveBody(id, chunks, done, code), nil
}

func receiveBody(id string, chunks []chunk, done bool, code int) string {
	var b strings.Builder
	b.WriteString(`<rsp:ReceiveResponse>`)
	for _, c := range chunks {
		fmt.Fprintf(&b, `<rsp:Stream Name="%s" CommandId="%s">%s</rsp:Stream>`, c.stream, id,
			base64.StdEncoding.EncodeToString(c.data))
	}
	if done {
		fmt.Fprintf(&b, `<rsp:Stream Name="stdout" CommandId="%s" End="true"></rsp:Stream>`, id)
		fmt.Fprintf(&b, `<rsp:Stream Name="stderr" CommandId="%s" End="true"></rsp:Stream>`, id)
		fmt.Fprintf(&b, `<rsp:CommandState CommandId="%s" State="%s"><rsp:ExitCode>%d</rsp:ExitCode>`+
			`</rsp:CommandState>`, id, stateDone, code)
	} else {
		fmt.Fprintf(&b, `<rsp:CommandState CommandId="%s" State="%s"></rsp:CommandState>`,
			id, stateRunning)
	}
	b.WriteString(`</rsp:ReceiveResponse>`)
	return b.String()
}

func (s *Server) send(r *http.Request, req *request) (string, error) {
	if req.Body.Send == nil {
		return "", faultBadRequest("The Send request has no stream.")
	}
	for _, st := range req.Body.Send.Streams {
		if st.Name != "stdin" {
			return "", faultBadRequest(fmt.Sprintf("The stream %q is not an input stream.", st.Name))
		}
		c, err := s.lookup(req, st.CommandID)
		if err != nil {
			return "", err
		}
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(st.Data))
		if err != nil {
			return "", faultBadRequest("The stdin data is not base64.")
		}
		if err := c.stdin.write(r.Context(), data, st.End == "true"); err != nil {
			return "", err
		}
	}
	return `<rsp:SendResponse/>`, nil
}

func (s *Server) signal(req *request) (string, error) {
	sig := req.Body.Signal
	if sig == nil {
		return "", faultBadRequest("The Signal request has no signal.")
	}
	c, err := s.lookup(req, sig.CommandID)
	if err != nil {
		return "", err
	}
	switch strings.TrimSpace(sig.Code) {
	case signalTerminate, signalCtrlC, signalCtrlBreak:
		c.terminate()
	default:
		return "", faultBadRequest(fmt.Sprintf("The signal %q is not supported.", sig.Code))
	}
	return `<rsp:SignalResponse/>`, nil
}

func (s *Server) writeFault(w http.ResponseWriter, relatesTo string, f *fault) {
	klog.V(3).InfoS("WS-Management fault", "subcode", f.subcode, "message", f.message)
	writeSOAP(w, http.StatusInternalServerError,
		envelope(actionFault, relatesTo, f.body(s.opts.ComputerName)))
}

func writeSOAP(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// discardBody reads what is left of the request, so the connection can carry the next one;
// NTLM needs the same connection for its whole handshake.
func discardBody(r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 4*maxEnvelope))
}
