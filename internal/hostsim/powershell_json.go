package hostsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// decodeJSON decodes JSON into interpreter values: objects keep their key order and become
// *Object with case-insensitive property names, as ConvertFrom-Json gives.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSONValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

func decodeJSONValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return decodeJSONArray(dec)
		}
		return decodeJSONObject(dec)
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n, nil
		}
		return t.Float64()
	}
	return tok, nil
}

func decodeJSONArray(dec *json.Decoder) (any, error) {
	out := []any{}
	for dec.More() {
		v, err := decodeJSONValue(dec)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	_, err := dec.Token()
	return out, err
}

func decodeJSONObject(dec *json.Decoder) (any, error) {
	o := NewObject("System.Management.Automation.PSCustomObject")
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		v, err := decodeJSONValue(dec)
		if err != nil {
			return nil, err
		}
		if _, dup := o.Get(key); dup {
			return nil, fmt.Errorf("duplicate key %q (keys are case-insensitive)", strings.ToLower(key))
		}
		o.Set(key, v)
	}
	_, err := dec.Token()
	return o, err
}
