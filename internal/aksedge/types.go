// Package aksedge is the AKS Edge Essentials deployment-config model: the typed keys of
// aksedge-config.json and of scale-out (join) files, loading with exact error positions,
// saving that keeps unknown keys and key order, and the offline network validation that
// Test-AksEdgeNetworkParameters does before a deployment.
//
// Keys are read case-insensitively, as PowerShell's ConvertFrom-Json does, and written in
// AKS EE's casing. Optional numbers and booleans are pointers so that an absent key differs
// from a zero one; strings use "" for absent (a key read as null is written back as null).
package aksedge

// Deployment types AKS EE knows.
const (
	SingleMachineCluster = "SingleMachineCluster"
	ScalableCluster      = "ScalableCluster"
)

// Network plugins, one per flavour: flannel goes with K3s, calico with K8s.
const (
	PluginFlannel = "flannel"
	PluginCalico  = "calico"
)

// Config is one AKS EE deployment file: a new cluster's aksedge-config.json or a join file
// written by New-AksEdgeScaleConfig. Sections absent from the file are nil.
type Config struct {
	SchemaVersion  string    `json:"SchemaVersion,omitempty"`
	Version        string    `json:"Version,omitempty"`
	DeploymentType string    `json:"DeploymentType,omitempty"`
	Init           *Init     `json:"Init,omitempty"`
	Join           *Join     `json:"Join,omitempty"`
	Arc            *Arc      `json:"Arc,omitempty"`
	Network        *Network  `json:"Network,omitempty"`
	User           *User     `json:"User,omitempty"`
	Machines       []Machine `json:"Machines,omitempty"`

	Extra Extra `json:"-"`
}

// Init holds the cluster-creation settings of the primary machine.
type Init struct {
	ServiceIPRangeStart string     `json:"ServiceIPRangeStart,omitempty"`
	ServiceIPRangeSize  *int       `json:"ServiceIPRangeSize,omitempty"`
	KmsPlugin           *KmsPlugin `json:"KmsPlugin,omitempty"`

	Extra Extra `json:"-"`
}

// KmsPlugin switches the KMS plugin for secret encryption (schema 1.15 and later).
type KmsPlugin struct {
	Enable *bool `json:"Enable,omitempty"`

	Extra Extra `json:"-"`
}

// Join holds what a machine needs to join an existing cluster. On K3s the token has the form
// K10<hex>::<credentials> and DiscoveryTokenHash is absent; on K8s the token is
// <id>.<secret> and DiscoveryTokenHash is sha256:<hex>.
type Join struct {
	ClusterJoinToken   Secret `json:"ClusterJoinToken,omitempty"`
	DiscoveryTokenHash string `json:"DiscoveryTokenHash,omitempty"`
	CertificateKey     Secret `json:"CertificateKey,omitempty"`
	ClusterId          string `json:"ClusterId,omitempty"`

	Extra Extra `json:"-"`
}

// Arc holds the Azure Arc connection of the cluster.
type Arc struct {
	ClusterName       string `json:"ClusterName,omitempty"`
	Location          string `json:"Location,omitempty"`
	ResourceGroupName string `json:"ResourceGroupName,omitempty"`
	SubscriptionId    string `json:"SubscriptionId,omitempty"`
	TenantId          string `json:"TenantId,omitempty"`
	ClientId          string `json:"ClientId,omitempty"`
	ClientSecret      Secret `json:"ClientSecret,omitempty"`

	Extra Extra `json:"-"`
}

// Network holds the cluster network, which every machine of a ScalableCluster shares.
type Network struct {
	ControlPlaneEndpointIp string   `json:"ControlPlaneEndpointIp,omitempty"`
	NetworkPlugin          string   `json:"NetworkPlugin,omitempty"`
	Ip4GatewayAddress      string   `json:"Ip4GatewayAddress,omitempty"`
	Ip4PrefixLength        *int     `json:"Ip4PrefixLength,omitempty"`
	Ip4AddressPrefix       string   `json:"Ip4AddressPrefix,omitempty"`
	DnsServers             []string `json:"DnsServers,omitempty"`
	InternetDisabled       *bool    `json:"InternetDisabled,omitempty"`
	SkipAddressFreeCheck   *bool    `json:"SkipAddressFreeCheck,omitempty"`
	SkipDnsCheck           *bool    `json:"SkipDnsCheck,omitempty"`
	Proxy                  *Proxy   `json:"Proxy,omitempty"`

	Extra Extra `json:"-"`
}

// Proxy holds the proxy settings of the nodes.
type Proxy struct {
	Http  string `json:"Http,omitempty"`
	Https string `json:"Https,omitempty"`
	No    string `json:"No,omitempty"`

	Extra Extra `json:"-"`
}

// User holds the licence and telemetry answers.
type User struct {
	AcceptEula              *bool `json:"AcceptEula,omitempty"`
	AcceptOptionalTelemetry *bool `json:"AcceptOptionalTelemetry,omitempty"`

	Extra Extra `json:"-"`
}

// Machine is the machine the file is deployed on: its adapter and its Linux and Windows
// nodes (at most one of each).
type Machine struct {
	NetworkConnection *NetworkConnection `json:"NetworkConnection,omitempty"`
	LinuxNode         *LinuxNode         `json:"LinuxNode,omitempty"`
	WindowsNode       *WindowsNode       `json:"WindowsNode,omitempty"`

	Extra Extra `json:"-"`
}

// NetworkConnection names the physical adapter the external switch is built on.
type NetworkConnection struct {
	AdapterName string `json:"AdapterName,omitempty"`
	Mtu         *int   `json:"Mtu,omitempty"`

	Extra Extra `json:"-"`
}

// LinuxNode is the Linux VM of a machine.
type LinuxNode struct {
	ControlPlane      *bool              `json:"ControlPlane,omitempty"`
	CpuCount          *int               `json:"CpuCount,omitempty"`
	MemoryInMB        *int               `json:"MemoryInMB,omitempty"`
	DataSizeInGB      *int               `json:"DataSizeInGB,omitempty"`
	LogSizeInGB       *int               `json:"LogSizeInGB,omitempty"`
	Ip4Address        string             `json:"Ip4Address,omitempty"`
	MacAddress        string             `json:"MacAddress,omitempty"`
	TimeoutSeconds    *int               `json:"TimeoutSeconds,omitempty"`
	TpmPassthrough    *bool              `json:"TpmPassthrough,omitempty"`
	SecondaryNetworks []SecondaryNetwork `json:"SecondaryNetworks,omitempty"`

	Extra Extra `json:"-"`
}

// SecondaryNetwork is an extra switch for the Linux node, with an optional static address.
type SecondaryNetwork struct {
	VMSwitchName      string `json:"VMSwitchName,omitempty"`
	Ip4Address        string `json:"Ip4Address,omitempty"`
	Ip4GatewayAddress string `json:"Ip4GatewayAddress,omitempty"`
	Ip4PrefixLength   *int   `json:"Ip4PrefixLength,omitempty"`

	Extra Extra `json:"-"`
}

// WindowsNode is the Windows VM of a machine.
type WindowsNode struct {
	CpuCount       *int   `json:"CpuCount,omitempty"`
	MemoryInMB     *int   `json:"MemoryInMB,omitempty"`
	Ip4Address     string `json:"Ip4Address,omitempty"`
	MacAddress     string `json:"MacAddress,omitempty"`
	TimeoutSeconds *int   `json:"TimeoutSeconds,omitempty"`

	Extra Extra `json:"-"`
}

// Ptr returns a pointer to v, for the optional number and boolean keys.
func Ptr[T any](v T) *T { return &v }
