package aksedge

import (
	"embed"
	"fmt"
	"strings"
)

// templates holds the files New-AksEdgeConfig writes, one per deployment type, as far as
// the public docs and samples show them (the AksEdge module itself is not public): every key
// with its default, null where AKS EE leaves a value for the operator.
//
//go:embed templates/*.json
var templates embed.FS

// NodeType says which nodes a machine runs, as New-AksEdgeConfig's -NodeType does.
type NodeType string

// The node types AKS EE knows.
const (
	NodeLinux           NodeType = "Linux"
	NodeWindows         NodeType = "Windows"
	NodeLinuxAndWindows NodeType = "LinuxAndWindows"
)

// ParseNodeType reads a node type case-insensitively, as PowerShell does.
func ParseNodeType(s string) (NodeType, error) {
	for _, t := range []NodeType{NodeLinux, NodeWindows, NodeLinuxAndWindows} {
		if strings.EqualFold(s, string(t)) {
			return t, nil
		}
	}
	return "", fmt.Errorf("node type %q is not one of Linux, Windows, LinuxAndWindows", s)
}

// CanonicalDeploymentType returns AKS EE's spelling of a deployment type read
// case-insensitively, or "" for an unknown one.
func CanonicalDeploymentType(s string) string {
	for _, t := range []string{ScalableCluster, SingleMachineCluster} {
		if strings.EqualFold(s, t) {
			return t
		}
	}
	return ""
}

// NewConfig returns the file New-AksEdgeConfig writes for a deployment type, schema version
// and node type: every key AKS EE's file has, with AKS EE's defaults, and null where the
// operator must fill a value in. Keys the schema version predates are left out.
func NewConfig(deploymentType, schemaVersion string, nodeType NodeType) (*Config, error) {
	name := CanonicalDeploymentType(deploymentType)
	if name == "" {
		return nil, fmt.Errorf("deployment type %q is not one of %s, %s",
			deploymentType, ScalableCluster, SingleMachineCluster)
	}
	if _, ok := parseSchema(schemaVersion); !ok {
		return nil, fmt.Errorf("schema version %q is not of the form 1.16", schemaVersion)
	}
	data, err := templates.ReadFile("templates/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	c, err := Parse(name+".json", data)
	if err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	c.SchemaVersion = schemaVersion
	if !schemaAtLeast(schemaVersion, kmsPluginSchema) {
		c.Init.KmsPlugin = nil
	}
	for i := range c.Machines {
		setNodeType(&c.Machines[i], nodeType, schemaVersion)
	}
	return c, nil
}

// setNodeType drops the nodes a node type does not want and the keys the schema predates.
func setNodeType(m *Machine, nodeType NodeType, schemaVersion string) {
	switch nodeType {
	case NodeLinux:
		m.WindowsNode = nil
	case NodeWindows:
		m.LinuxNode = nil
	}
	if m.LinuxNode != nil && !schemaAtLeast(schemaVersion, logSizeSchema) {
		m.LinuxNode.LogSizeInGB = nil
	}
}
