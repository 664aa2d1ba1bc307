package aksedge

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// MarshalYAML returns c as YAML with the keys in the order Marshal writes them (a generic
// JSON-to-YAML conversion would sort them). Secrets print as "<redacted>" unless showSecrets.
// AKS EE itself reads only JSON; YAML is for people reading a config.
func MarshalYAML(c *Config, showSecrets bool) ([]byte, error) {
	data, err := Marshal(c, showSecrets)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("convert to yaml: %w", err)
	}
	blockStyle(&doc)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("convert to yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("convert to yaml: %w", err)
	}
	return buf.Bytes(), nil
}

// blockStyle drops the flow and quoting styles JSON input leaves on every node; the encoder
// still quotes strings that would otherwise read as numbers, booleans or null.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, child := range n.Content {
		blockStyle(child)
	}
}
