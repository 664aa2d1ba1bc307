package plugin

import (
	"encoding/json"
	"fmt"
	"io"

	"sigs.k8s.io/yaml"
)

// Output formats every command that prints data accepts with -o.
const (
	outputJSON = "json"
	outputYAML = "yaml"
)

// validateOutput checks the -o value against the formats a command supports; "" always passes
// and means the command's human-readable default.
func validateOutput(format string, allowed ...string) error {
	if format == "" {
		return nil
	}
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return usageErrorf("--output %q is not supported; use one of %q", format, allowed)
}

// printData writes v as indented JSON or as YAML.
func printData(w io.Writer, format string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", format, err)
	}
	if format == outputYAML {
		return printYAMLFromJSON(w, data)
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}

// printYAMLFromJSON converts a JSON document to YAML and writes it.
func printYAMLFromJSON(w io.Writer, data []byte) error {
	out, err := yaml.JSONToYAML(data)
	if err != nil {
		return fmt.Errorf("encode yaml: %w", err)
	}
	_, err = w.Write(out)
	return err
}
