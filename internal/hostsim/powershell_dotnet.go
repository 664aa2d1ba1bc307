package hostsim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math"
	"strings"
)

// staticMembers are the .NET static properties and methods scripts may use, keyed
// "type::member" in lower case without a "system." prefix.
var staticMembers = map[string]func(s *session, args []any) (any, error){
	"environment::is64bitprocess":         func(*session, []any) (any, error) { return true, nil },
	"environment::is64bitoperatingsystem": func(*session, []any) (any, error) { return true, nil },
	"environment::processorcount": func(s *session, _ []any) (any, error) {
		return int64(s.m.opts.LogicalProcessors), nil
	},
	"environment::machinename": func(s *session, _ []any) (any, error) {
		return s.m.computerName(), nil
	},
	"environment::newline": func(*session, []any) (any, error) { return "\r\n", nil },
	"security.principal.windowsidentity::getcurrent": func(s *session, _ []any) (any, error) {
		return NewObject("System.Security.Principal.WindowsIdentity",
			"Name", s.m.computerName()+`\`+s.m.opts.Username), nil
	},
	"security.principal.windowsbuiltinrole::administrator": func(*session, []any) (any, error) {
		return "Administrator", nil
	},
	"math::floor":   mathFunc(math.Floor),
	"math::ceiling": mathFunc(math.Ceil),
	"math::round":   mathFunc(math.RoundToEven),
	"convert::frombase64string": func(_ *session, args []any) (any, error) {
		b, err := base64.StdEncoding.DecodeString(toStr(argAt(args, 0)))
		if err != nil {
			return nil, throwf("The input is not a valid Base-64 string.")
		}
		return b, nil
	},
	"convert::tobase64string": func(_ *session, args []any) (any, error) {
		b, _ := argAt(args, 0).([]byte)
		return base64.StdEncoding.EncodeToString(b), nil
	},
	"text.encoding::utf8":    func(*session, []any) (any, error) { return encodingObject(), nil },
	"text.encoding::unicode": func(*session, []any) (any, error) { return encodingObject(), nil },
	"console::in":            func(s *session, _ []any) (any, error) { return s.consoleIn(), nil },
	"io.file::create": func(s *session, args []any) (any, error) {
		return s.fileStream(toStr(argAt(args, 0)))
	},
	"io.file::exists": func(s *session, args []any) (any, error) {
		return s.m.fileExists(toStr(argAt(args, 0))), nil
	},
	"io.file::readallbytes": func(s *session, args []any) (any, error) {
		data, ok := s.m.readFile(toStr(argAt(args, 0)))
		if !ok {
			return nil, throwf("Could not find file '%s'.", toStr(argAt(args, 0)))
		}
		return data, nil
	},
	"io.file::writeallbytes": func(s *session, args []any) (any, error) {
		b, _ := argAt(args, 1).([]byte)
		return nil, s.m.writeFile(toStr(argAt(args, 0)), b)
	},
	"io.file::delete": func(s *session, args []any) (any, error) {
		s.m.removeFile(toStr(argAt(args, 0)))
		return nil, nil
	},
	"bitconverter::tostring": func(_ *session, args []any) (any, error) {
		b, _ := argAt(args, 0).([]byte)
		h := strings.ToUpper(hex.EncodeToString(b))
		var parts []string
		for i := 0; i < len(h); i += 2 {
			parts = append(parts, h[i:i+2])
		}
		return strings.Join(parts, "-"), nil
	},
}

func argAt(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return nil
}

func mathFunc(f func(float64) float64) func(*session, []any) (any, error) {
	return func(_ *session, args []any) (any, error) {
		x, err := toFloat(argAt(args, 0))
		if err != nil {
			return nil, err
		}
		return f(x), nil
	}
}

func encodingObject() *Object {
	o := NewObject("System.Text.UTF8Encoding")
	o.Method("GetString", func(args []any) (any, error) {
		b, _ := argAt(args, 0).([]byte)
		return string(b), nil
	})
	o.Method("GetBytes", func(args []any) (any, error) {
		return []byte(toStr(argAt(args, 0))), nil
	})
	return o
}

// convertTo implements a cast [type]value.
func convertTo(typ string, v any) (any, error) {
	switch typ {
	case "bool", "boolean", "switch":
		return truthy(v), nil
	case "string":
		return toStr(v), nil
	case "int", "int32", "long", "int64":
		return toInt(v)
	case "double", "decimal", "float":
		return toFloat(v)
	case "array", "object[]":
		return enumerate(v), nil
	case "pscustomobject", "psobject":
		if o, ok := v.(*Object); ok {
			c := NewObject("System.Management.Automation.PSCustomObject")
			for _, k := range o.keys {
				c.Set(k, o.props[strings.ToLower(k)])
			}
			return c, nil
		}
		return v, nil
	case "byte[]":
		if b, ok := v.([]byte); ok {
			return b, nil
		}
	}
	return nil, throwf("Unable to find type [%s].", typ)
}

// callMethod calls a .NET method on a value.
func callMethod(v any, name string, args []any) (any, error) {
	switch v := v.(type) {
	case string:
		return stringMethod(v, name, args)
	case *Object:
		if f, ok := v.methods[name]; ok {
			return f(args)
		}
		if name == "tostring" {
			return v.String(), nil
		}
	case []byte:
		if name == "tostring" {
			return "System.Byte[]", nil
		}
	case nil:
		return nil, throwf("You cannot call a method on a null-valued expression.")
	}
	if name == "tostring" {
		return toStr(v), nil
	}
	return nil, throwf("Method invocation failed because [%T] does not contain a method named '%s'.",
		v, name)
}

func stringMethod(s, name string, args []any) (any, error) {
	a := func(i int) string { return toStr(argAt(args, i)) }
	switch name {
	case "trim":
		if len(args) > 0 {
			return strings.Trim(s, a(0)), nil
		}
		return strings.TrimSpace(s), nil
	case "trimend":
		return strings.TrimRight(s, " \t\r\n"+a(0)), nil
	case "tolower", "tolowerinvariant":
		return strings.ToLower(s), nil
	case "toupper", "toupperinvariant":
		return strings.ToUpper(s), nil
	case "startswith":
		return strings.HasPrefix(strings.ToLower(s), strings.ToLower(a(0))), nil
	case "endswith":
		return strings.HasSuffix(strings.ToLower(s), strings.ToLower(a(0))), nil
	case "contains":
		return strings.Contains(s, a(0)), nil
	case "replace":
		return strings.ReplaceAll(s, a(0), a(1)), nil
	case "split":
		var out []any
		for _, p := range strings.Split(s, a(0)) {
			out = append(out, p)
		}
		return out, nil
	case "tostring":
		return s, nil
	}
	return nil, throwf("Method invocation failed because [System.String] does not contain a "+
		"method named '%s'.", name)
}

// sha256Hex is the upper-case hex digest Get-FileHash prints.
func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}
