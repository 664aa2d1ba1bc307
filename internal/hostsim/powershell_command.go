package hostsim

import "strings"

// call is one invocation of a cmdlet: its bound arguments and pipeline input.
type call struct {
	name       string
	named      map[string]any  // lower-case parameter name to value
	switches   map[string]bool // parameters given without a value
	positional []any
	input      []any
	piped      bool // input comes from an earlier pipeline element
}

// cmdlet implements a command of the simulated host.
type cmdlet func(s *session, c *call) ([]any, error)

// arg returns the first given of the named parameters, or else positional argument pos
// (-1 for none).
func (c *call) arg(pos int, names ...string) any {
	for _, n := range names {
		if v, ok := c.named[n]; ok {
			return v
		}
	}
	if pos >= 0 && pos < len(c.positional) {
		return c.positional[pos]
	}
	return nil
}

func (c *call) str(pos int, names ...string) string {
	return toStr(c.arg(pos, names...))
}

// flag reports a switch: -Name, -Name:$true.
func (c *call) flag(name string) bool {
	if c.switches[name] {
		return true
	}
	v, ok := c.named[name]
	return ok && truthy(v)
}

// strs returns the string values of a parameter that takes an array.
func (c *call) strs(pos int, names ...string) []string {
	var out []string
	for _, v := range enumerate(c.arg(pos, names...)) {
		out = append(out, toStr(v))
	}
	return out
}

func (s *session) invoke(cmd *psCommand, input []any, piped bool) ([]any, error) {
	c := &call{named: map[string]any{}, switches: map[string]bool{}, input: input, piped: piped}
	name := cmd.name
	if cmd.nameExpr != nil {
		v, err := s.eval(cmd.nameExpr)
		if err != nil {
			return nil, err
		}
		name = toStr(v)
	}
	c.name = name
	if err := s.bindArgs(cmd, c); err != nil {
		return nil, err
	}
	lower := strings.ToLower(name)
	if f, ok := s.lookupCmdlet(lower); ok {
		return f(s, c)
	}
	if native, ok := natives[strings.TrimSuffix(lower, ".exe")]; ok {
		return s.runNative(native, c)
	}
	return nil, throwf("The term '%s' is not recognized as the name of a cmdlet, function, "+
		"script file, or operable program.", name)
}

// switchParams are the parameters that take no value; any other "-Name" takes the next
// argument as its value.
var switchParams = map[string]bool{
	"force": true, "wait": true, "passthru": true, "raw": true, "online": true, "physical": true,
	"listavailable": true, "usebasicparsing": true, "recurse": true, "confirm": true,
	"whatif": true, "verbose": true, "nonewline": true, "compress": true, "append": true,
	"asplaintext": true, "noprofile": true, "noninteractive": true, "includeallsubfeature": true,
}

func (s *session) bindArgs(cmd *psCommand, c *call) error {
	for i := 0; i < len(cmd.args); i++ {
		a := cmd.args[i]
		if a.param != "" && a.value == nil && !switchParams[a.param] &&
			i+1 < len(cmd.args) && cmd.args[i+1].param == "" {
			i++
			a = cmdArg{param: a.param, value: cmd.args[i].value}
		}
		var v any
		if a.value != nil {
			var err error
			if v, err = s.eval(a.value); err != nil {
				return err
			}
		}
		switch {
		case a.param == "":
			c.positional = append(c.positional, v)
		case a.value == nil:
			c.switches[a.param] = true
		default:
			c.named[a.param] = v
		}
	}
	return nil
}

// nonTerminating reports a cmdlet's non-terminating error according to -ErrorAction and
// $ErrorActionPreference: Stop turns it into a terminating error.
func (s *session) nonTerminating(c *call, msg string) error {
	action := toStr(s.vars["erroractionpreference"])
	if v, ok := c.named["erroraction"]; ok {
		action = toStr(v)
	}
	if v, ok := c.named["ea"]; ok {
		action = toStr(v)
	}
	s.vars["?"] = false
	switch strings.ToLower(action) {
	case "stop":
		return &psError{msg: msg}
	case "silentlycontinue", "ignore":
		return nil
	}
	s.writeErr(c.name + " : " + msg)
	return nil
}

func (s *session) runNative(f nativeFunc, c *call) ([]any, error) {
	var args []string
	for _, v := range c.positional {
		for _, e := range enumerate(v) {
			args = append(args, toStr(e))
		}
	}
	code, lines := f(s, args)
	s.vars["lastexitcode"] = int64(code)
	s.vars["?"] = code == 0
	out := make([]any, len(lines))
	for i, l := range lines {
		out[i] = l
	}
	return out, nil
}

// nativeFunc is an executable of the simulated host: arguments in, exit code and output out.
type nativeFunc func(s *session, args []string) (int, []string)

// splitCommandLine splits a Windows command line on blanks, honouring double quotes.
func splitCommandLine(line string) []string {
	var out []string
	var b strings.Builder
	quoted, seen := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, seen = !quoted, true
		case (r == ' ' || r == '\t') && !quoted:
			if seen {
				out = append(out, b.String())
			}
			b.Reset()
			seen = false
		default:
			b.WriteRune(r)
			seen = true
		}
	}
	if seen {
		out = append(out, b.String())
	}
	return out
}
