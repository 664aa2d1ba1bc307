package hostsim

import (
	"encoding/json"
	"strings"
	"time"
)

// coreCmdlets are the built-in cmdlets for output, files, JSON and pipelines.
var coreCmdlets map[string]cmdlet

func init() {
	coreCmdlets = map[string]cmdlet{
		"write-output":        writeOutput,
		"echo":                writeOutput,
		"write-host":          writeHost,
		"write-error":         writeError,
		"write-verbose":       ignoreCmdlet,
		"out-null":            func(*session, *call) ([]any, error) { return nil, nil },
		"out-string":          outString,
		"get-content":         getContent,
		"set-content":         setContent,
		"add-content":         addContent,
		"test-path":           testPath,
		"remove-item":         removeItem,
		"new-item":            newItem,
		"get-filehash":        getFileHash,
		"convertto-json":      convertToJSON,
		"convertfrom-json":    convertFromJSON,
		"select-object":       selectObject,
		"where-object":        whereObject,
		"foreach-object":      foreachObject,
		"start-sleep":         startSleep,
		"set-executionpolicy": ignoreCmdlet,
		"start-transcript":    startTranscript,
		"stop-transcript":     stopTranscript,
	}
}

func ignoreCmdlet(*session, *call) ([]any, error) { return nil, nil }

func writeOutput(_ *session, c *call) ([]any, error) {
	var out []any
	for _, v := range c.positional {
		out = append(out, enumerate(v)...)
	}
	if v, ok := c.named["inputobject"]; ok {
		out = append(out, enumerate(v)...)
	}
	return append(out, c.input...), nil
}

func writeHost(s *session, c *call) ([]any, error) {
	var parts []string
	for _, v := range append(c.positional, c.input...) {
		parts = append(parts, toStr(v))
	}
	if v, ok := c.named["object"]; ok {
		parts = append(parts, toStr(v))
	}
	s.writeHost(strings.Join(parts, " "))
	return nil, nil
}

func writeError(s *session, c *call) ([]any, error) {
	msg := c.str(0, "message")
	return nil, s.nonTerminating(c, msg)
}

func outString(_ *session, c *call) ([]any, error) {
	var lines []string
	for _, v := range c.input {
		lines = append(lines, formatValue(v)...)
	}
	return []any{strings.Join(lines, "\r\n") + "\r\n"}, nil
}

func getContent(s *session, c *call) ([]any, error) {
	path := c.str(0, "path", "literalpath")
	data, ok := s.m.readFile(path)
	if !ok {
		return nil, s.nonTerminating(c, "Cannot find path '"+path+"' because it does not exist.")
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	if c.flag("raw") {
		return []any{text}, nil
	}
	text = strings.TrimSuffix(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	if text == "" {
		return nil, nil
	}
	var out []any
	for _, l := range strings.Split(text, "\n") {
		out = append(out, l)
	}
	return out, nil
}

func contentText(c *call) string {
	var lines []string
	for _, v := range append(enumerate(c.arg(1, "value")), c.input...) {
		lines = append(lines, toStr(v))
	}
	text := strings.Join(lines, "\r\n")
	if !c.flag("nonewline") {
		text += "\r\n"
	}
	return text
}

func setContent(s *session, c *call) ([]any, error) {
	path := c.str(0, "path", "literalpath")
	if err := s.m.writeFile(path, []byte(contentText(c))); err != nil {
		return nil, s.nonTerminating(c, err.Error())
	}
	return nil, nil
}

func addContent(s *session, c *call) ([]any, error) {
	path := c.str(0, "path", "literalpath")
	old, _ := s.m.readFile(path)
	if err := s.m.writeFile(path, append(old, contentText(c)...)); err != nil {
		return nil, s.nonTerminating(c, err.Error())
	}
	return nil, nil
}

func testPath(s *session, c *call) ([]any, error) {
	var out []any
	for _, p := range c.strs(0, "path", "literalpath") {
		out = append(out, s.m.pathExists(p))
	}
	return out, nil
}

func removeItem(s *session, c *call) ([]any, error) {
	for _, p := range c.strs(0, "path", "literalpath") {
		if !s.m.removeFile(p) {
			msg := "Cannot find path '" + p + "' because it does not exist."
			if err := s.nonTerminating(c, msg); err != nil {
				return nil, err
			}
		}
	}
	return nil, nil
}

func newItem(s *session, c *call) ([]any, error) {
	path := c.str(0, "path")
	if name := c.str(-1, "name"); name != "" {
		path += `\` + name
	}
	if strings.EqualFold(c.str(-1, "itemtype", "type"), "directory") {
		if s.m.pathExists(path) && !c.flag("force") {
			return nil, s.nonTerminating(c, "An item with the specified name "+path+" already exists.")
		}
		if err := s.m.mkdirAll(path); err != nil {
			return nil, s.nonTerminating(c, err.Error())
		}
		return []any{NewObject("System.IO.DirectoryInfo", "FullName", path, "Name", path)}, nil
	}
	if err := s.m.writeFile(path, []byte(c.str(-1, "value"))); err != nil {
		return nil, s.nonTerminating(c, err.Error())
	}
	return []any{NewObject("System.IO.FileInfo", "FullName", path)}, nil
}

func getFileHash(s *session, c *call) ([]any, error) {
	path := c.str(0, "path", "literalpath")
	data, ok := s.m.readFile(path)
	if !ok {
		return nil, s.nonTerminating(c, "Cannot find path '"+path+"' because it does not exist.")
	}
	return []any{NewObject("Microsoft.Powershell.Utility.FileHash",
		"Algorithm", "SHA256", "Hash", sha256Hex(data), "Path", path)}, nil
}

func convertToJSON(_ *session, c *call) ([]any, error) {
	v := c.arg(0, "inputobject")
	if c.piped {
		v = unwrap(c.input)
	}
	data, err := json.MarshalIndent(toJSONValue(v), "", "    ")
	if c.flag("compress") {
		data, err = json.Marshal(toJSONValue(v))
	}
	if err != nil {
		return nil, throwf("%v", err)
	}
	return []any{string(data)}, nil
}

func toJSONValue(v any) any {
	switch v := v.(type) {
	case *Object:
		out := orderedJSON{}
		for _, k := range v.keys {
			out = append(out, jsonField{k, toJSONValue(v.props[strings.ToLower(k)])})
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = toJSONValue(e)
		}
		return out
	}
	return v
}

type jsonField struct {
	key string
	val any
}

// orderedJSON is an object that keeps its key order when encoded.
type orderedJSON []jsonField

func (o orderedJSON) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteString("{")
	for i, f := range o {
		if i > 0 {
			b.WriteString(",")
		}
		k, _ := json.Marshal(f.key)
		v, err := json.Marshal(f.val)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteString(":")
		b.Write(v)
	}
	b.WriteString("}")
	return []byte(b.String()), nil
}

func convertFromJSON(_ *session, c *call) ([]any, error) {
	text := c.str(0, "inputobject")
	if c.piped {
		var parts []string
		for _, v := range c.input {
			parts = append(parts, toStr(v))
		}
		text = strings.Join(parts, "\n")
	}
	v, err := decodeJSON([]byte(text))
	if err != nil {
		return nil, throwf("Conversion from JSON failed with error: %v", err)
	}
	return enumerate(v), nil
}

func selectObject(s *session, c *call) ([]any, error) {
	items := c.input
	if n, ok := c.named["skip"]; ok {
		k, _ := toInt(n)
		items = items[min(int(k), len(items)):]
	}
	if n, ok := c.named["first"]; ok {
		k, _ := toInt(n)
		items = items[:min(int(k), len(items))]
	}
	if n, ok := c.named["last"]; ok {
		k, _ := toInt(n)
		items = items[len(items)-min(int(k), len(items)):]
	}
	if p := c.str(-1, "expandproperty"); p != "" {
		var out []any
		for _, it := range items {
			out = append(out, enumerate(property(it, strings.ToLower(p)))...)
		}
		return out, nil
	}
	return items, nil
}

func (s *session) runBlock(c *call, item any) ([]any, error) {
	sb, ok := c.arg(0, "filterscript", "process").(*scriptBlock)
	if !ok {
		return nil, throwf("%s needs a script block", c.name)
	}
	s.vars["_"] = item
	s.vars["psitem"] = item
	var out []any
	err := s.execStmts(sb.stmts, func(v any) { out = append(out, v) })
	return out, err
}

func whereObject(s *session, c *call) ([]any, error) {
	var out []any
	for _, it := range c.input {
		res, err := s.runBlock(c, it)
		if err != nil {
			return nil, err
		}
		if truthy(unwrap(res)) {
			out = append(out, it)
		}
	}
	return out, nil
}

func foreachObject(s *session, c *call) ([]any, error) {
	var out []any
	for _, it := range c.input {
		res, err := s.runBlock(c, it)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

func startSleep(s *session, c *call) ([]any, error) {
	d := time.Duration(0)
	if v := c.arg(0, "seconds", "s"); v != nil {
		f, _ := toFloat(v)
		d = time.Duration(f * float64(time.Second))
	}
	if v := c.arg(-1, "milliseconds", "m"); v != nil {
		n, _ := toInt(v)
		d = time.Duration(n) * time.Millisecond
	}
	select {
	case <-time.After(d):
	case <-s.ctx.Done():
	}
	return nil, nil
}

func startTranscript(s *session, c *call) ([]any, error) {
	s.transcript = c.str(0, "path", "literalpath")
	if !c.flag("append") {
		s.m.removeFile(s.transcript)
	}
	s.m.appendFile(s.transcript, "**********************\r\nWindows PowerShell transcript start\r\n"+
		"Machine: "+s.m.computerName()+"\r\n**********************\r\n")
	return []any{"Transcript started, output file is " + s.transcript}, nil
}

func stopTranscript(s *session, _ *call) ([]any, error) {
	if s.transcript == "" {
		return nil, throwf("An error occurred stopping transcription: The host is not currently transcribing.")
	}
	path := s.transcript
	s.m.appendFile(path, "**********************\r\nWindows PowerShell transcript end\r\n**********************\r\n")
	s.transcript = ""
	return []any{"Transcript stopped, output file is " + path}, nil
}
