package hostsim

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// WS-Management namespaces and URIs the shell operations use.
const (
	nsSoap       = "http://www.w3.org/2003/05/soap-envelope"
	nsAddressing = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	nsWsman      = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	nsShell      = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
	nsFault      = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"

	actionCreate  = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
	actionDelete  = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
	actionCommand = nsShell + "/Command"
	actionReceive = nsShell + "/Receive"
	actionSend    = nsShell + "/Send"
	actionSignal  = nsShell + "/Signal"
	actionFault   = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"

	resourceCmd      = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
	stateDone        = nsShell + "/CommandState/Done"
	stateRunning     = nsShell + "/CommandState/Running"
	signalTerminate  = nsShell + "/signal/terminate"
	signalCtrlC      = nsShell + "/signal/ctrl_c"
	signalCtrlBreak  = nsShell + "/signal/ctrl_break"
	anonymousAddress = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
)

// request is the part of a WS-Management request envelope the server reads.
type request struct {
	XMLName xml.Name `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
	Header  struct {
		Action           string `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing Action"`
		MessageID        string `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing MessageID"`
		ResourceURI      string `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd ResourceURI"`
		OperationTimeout string `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd OperationTimeout"`
		MaxEnvelopeSize  string `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd MaxEnvelopeSize"`
		SelectorSet      struct {
			Selectors []struct {
				Name  string `xml:"Name,attr"`
				Value string `xml:",chardata"`
			} `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd Selector"`
		} `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd SelectorSet"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Header"`
	Body struct {
		CommandLine *struct {
			Command   string   `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Command"`
			Arguments []string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Arguments"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell CommandLine"`
		Receive *struct {
			DesiredStream struct {
				CommandID string `xml:"CommandId,attr"`
			} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell DesiredStream"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Receive"`
		Send *struct {
			Streams []struct {
				Name      string `xml:"Name,attr"`
				CommandID string `xml:"CommandId,attr"`
				End       string `xml:"End,attr"`
				Data      string `xml:",chardata"`
			} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Stream"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Send"`
		Signal *struct {
			CommandID string `xml:"CommandId,attr"`
			Code      string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Code"`
		} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Signal"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

func parseRequest(data []byte) (*request, error) {
	var req request
	stripped, payload, ok := cutStreamText(data)
	if ok {
		if err := xml.Unmarshal(stripped, &req); err == nil && req.Body.Send != nil &&
			len(req.Body.Send.Streams) == 1 {
			req.Body.Send.Streams[0].Data = string(payload)
			return &req, nil
		}
		req = request{}
	}
	if err := xml.Unmarshal(data, &req); err != nil {
		return nil, err
	}
	return &req, nil
}

// streamTagRe matches the start tag of a Stream element, with any namespace prefix.
var streamTagRe = regexp.MustCompile(`<(?:([A-Za-z_][\w.-]*):)?Stream\b[^>]*>`)

// cutStreamText takes the text out of a large request's first Stream element. encoding/xml
// decodes text a byte at a time, which made parsing the base64 of big Send requests most of
// the simulated host's work; base64 needs no XML decoding, so it is cut out and the rest is
// parsed as usual. ok is false when the request is small or the text is not plain.
func cutStreamText(data []byte) (stripped, text []byte, ok bool) {
	if len(data) < 16<<10 {
		return nil, nil, false
	}
	loc := streamTagRe.FindSubmatchIndex(data)
	if loc == nil || data[loc[1]-2] == '/' {
		return nil, nil, false
	}
	end := "</Stream>"
	if loc[2] >= 0 {
		end = "</" + string(data[loc[2]:loc[3]]) + ":Stream>"
	}
	n := bytes.Index(data[loc[1]:], []byte(end))
	if n < 0 {
		return nil, nil, false
	}
	text = data[loc[1] : loc[1]+n]
	if bytes.IndexByte(text, '<') >= 0 || bytes.IndexByte(text, '&') >= 0 {
		return nil, nil, false
	}
	stripped = make([]byte, 0, len(data)-len(text))
	stripped = append(append(stripped, data[:loc[1]]...), data[loc[1]+n:]...)
	return stripped, text, true
}

func (r *request) selector(name string) string {
	for _, s := range r.Header.SelectorSet.Selectors {
		if s.Name == name {
			return s.Value
		}
	}
	return ""
}

// operationTimeout returns the request's OperationTimeout, or def when absent or invalid.
func (r *request) operationTimeout(def time.Duration) time.Duration {
	if d, ok := parseDuration(r.Header.OperationTimeout); ok && d > 0 {
		return d
	}
	return def
}

// maxEnvelope returns the request's MaxEnvelopeSize, or def.
func (r *request) maxEnvelope(def int) int {
	if n, err := strconv.Atoi(r.Header.MaxEnvelopeSize); err == nil && n >= 8192 {
		return n
	}
	return def
}

var durationRe = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// parseDuration reads the xs:duration forms WS-Management clients send (PnDTnHnMn.nS).
func parseDuration(s string) (time.Duration, bool) {
	m := durationRe.FindStringSubmatch(s)
	if m == nil || s == "P" || s == "PT" {
		return 0, false
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] != "" {
			n, _ := strconv.Atoi(m[i+1])
			d += time.Duration(n) * unit
		}
	}
	if m[4] != "" {
		f, _ := strconv.ParseFloat(m[4], 64)
		d += time.Duration(f * float64(time.Second))
	}
	return d, true
}

// envelope writes a response envelope with the given action and body.
func envelope(action, relatesTo, body string) []byte {
	var b bytes.Buffer
	b.WriteString(`<s:Envelope xml:lang="en-US" xmlns:s="` + nsSoap + `" xmlns:a="` + nsAddressing +
		`" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:w="` + nsWsman +
		`" xmlns:rsp="` + nsShell + `" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd">`)
	b.WriteString(`<s:Header><a:Action>` + action + `</a:Action>`)
	b.WriteString(`<a:MessageID>uuid:` + newID() + `</a:MessageID>`)
	b.WriteString(`<a:To>` + anonymousAddress + `</a:To>`)
	if relatesTo != "" {
		b.WriteString(`<a:RelatesTo>` + escape(relatesTo) + `</a:RelatesTo>`)
	}
	b.WriteString(`</s:Header><s:Body>` + body + `</s:Body></s:Envelope>`)
	return b.Bytes()
}

func escape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// fault is a WS-Management SOAP fault, sent with HTTP 500 as a Windows host does.
type fault struct {
	code    string // s:Sender or s:Receiver
	subcode string // such as w:TimedOut
	wsman   uint32 // the WSManFault code
	message string
}

func (f *fault) Error() string { return fmt.Sprintf("%s: %s", f.subcode, f.message) }

func (f *fault) body(machine string) string {
	return `<s:Fault><s:Code><s:Value>` + f.code + `</s:Value><s:Subcode><s:Value>` + f.subcode +
		`</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">` + escape(f.message) +
		`</s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="` + nsFault + `"` +
		` Code="` + strconv.FormatUint(uint64(f.wsman), 10) + `" Machine="` + escape(machine) + `">` +
		`<f:Message>` + escape(f.message) + `</f:Message></f:WSManFault></s:Detail></s:Fault>`
}

// The faults the simulated host returns. Their subcodes and WSManFault codes are those of
// Windows; the messages are the simulator's own words.
func faultTimedOut() *fault {
	return &fault{"s:Receiver", "w:TimedOut", 2150858793,
		"No output arrived within the OperationTimeout of the request."}
}

func faultUnknownShell(id string) *fault {
	return &fault{"s:Sender", "w:InvalidSelectors", 2150858843,
		fmt.Sprintf("There is no shell with ShellId %q on this host; it may have been deleted.", id)}
}

func faultUnknownCommand(id string) *fault {
	return &fault{"s:Sender", "w:InvalidSelectors", 2150858843,
		fmt.Sprintf("There is no command with CommandId %q in this shell.", id)}
}

func faultBadRequest(why string) *fault {
	return &fault{"s:Sender", "w:SchemaValidationError", 2150858817, why}
}

func faultTooLarge(limit int) *fault {
	return &fault{"s:Sender", "w:EncodingLimit", 2150858817,
		fmt.Sprintf("The request is larger than the host's limit of %d bytes.", limit)}
}

func faultUnsupported(action string) *fault {
	return &fault{"s:Sender", "a:ActionNotSupported", 2150858754,
		fmt.Sprintf("The action %q is not supported by this host.", action)}
}
