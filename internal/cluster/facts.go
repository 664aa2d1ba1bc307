package cluster

// Where AKS EE keeps what the plugin reads. AKS EE's PowerShell module is not public, so some
// of these are inferred from a deployed cluster rather than documented; they live here, in one
// place, so that a correction is a one-line change.
const (
	// AksEdgeNamespace and AksEdgeConfigMap name the ConfigMap New-AksEdgeDeployment leaves.
	AksEdgeNamespace = "aksedge"
	AksEdgeConfigMap = "aksedge"
	// ClusterNameKey is the ConfigMap key that holds the cluster id (inferred).
	ClusterNameKey = "clustername"

	// KubeVIPDaemonSet is the kube-vip DaemonSet in kube-system that holds the control-plane
	// VIP on K3s control planes (inferred).
	KubeVIPDaemonSet = "kube-vip-ds"

	// ClusterInfoNamespace and ClusterInfoConfigMap hold the public kubeconfig kubeadm
	// publishes for discovery (K8s only).
	ClusterInfoNamespace = "kube-public"
	ClusterInfoConfigMap = "cluster-info"

	// K3sCACertsPath is where a K3s server serves its CA bundle without authentication.
	K3sCACertsPath = "/cacerts"
)

// kubeVIPAddressEnv lists the container environment variables kube-vip reads its VIP from,
// newest first (inferred: kube-vip has used both names).
var kubeVIPAddressEnv = []string{"address", "vip_address"}

// Bootstrap token groups AKS EE's joins use, per flavour.
const (
	k3sTokenGroup = "system:bootstrappers:k3s:default-node-token"
	k8sTokenGroup = "system:bootstrappers:kubeadm:default-node-token"
)
