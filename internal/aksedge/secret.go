package aksedge

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// redacted is what a Secret prints instead of its value.
const redacted = "<redacted>"

// Secret is a join token, certificate key or client secret. Every way of printing it (fmt
// verbs, encoding/json, Marshal without showSecrets) gives "<redacted>"; an empty Secret
// prints as "" so that a missing value is not mistaken for a set one. Reveal gives the value.
type Secret string

// Reveal returns the secret value itself, for the file written to disk and nothing else.
func (s Secret) Reveal() string { return string(s) }

// String returns "<redacted>", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return "aksedge.Secret(" + strconv.Quote(s.String()) + ")" }

// Format prints the redacted form for every verb, so %x or %q cannot leak the value either.
func (s Secret) Format(f fmt.State, verb rune) {
	text := s.String()
	switch {
	case verb == 'v' && f.Flag('#'):
		text = s.GoString()
	case verb == 'q':
		text = strconv.Quote(text)
	}
	_, _ = io.WriteString(f, text) // Format has no way to report a write error
}

// MarshalJSON writes the redacted form, so a Config printed with encoding/json holds no secret.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }
