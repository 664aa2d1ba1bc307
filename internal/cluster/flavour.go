// Package cluster reads and writes what kubectl-aksee needs of a live AKS EE cluster through
// client-go: its flavour, identity, control-plane endpoint, join tokens and the addresses in
// use. Nothing here runs a shell on a node.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
)

// Flavour is the Kubernetes distribution an AKS EE cluster runs; the config model owns it.
type Flavour = aksedge.Flavour

// The flavours AKS EE ships.
const (
	K3s = aksedge.K3s
	K8s = aksedge.K8s
)

// ErrMixedFlavour means the cluster's nodes disagree about the distribution, which AKS EE
// never does on a healthy cluster.
var ErrMixedFlavour = errors.New("nodes run both K3s and K8s")

// ErrNoNodes means the cluster has no nodes to tell its flavour from.
var ErrNoNodes = errors.New("the cluster has no nodes")

// listPageSize bounds every list the package makes, so memory does not grow with the cluster.
const listPageSize = 500

// FlavourOfVersion tells the flavour from a kubelet version: K3s builds carry "+k3s".
func FlavourOfVersion(kubeletVersion string) Flavour {
	if strings.Contains(kubeletVersion, "+k3s") {
		return K3s
	}
	return K8s
}

// DetectFlavour reads every node's kubelet version and returns the one flavour they share.
func DetectFlavour(ctx context.Context, client kubernetes.Interface) (Flavour, error) {
	scan, err := ScanNodes(ctx, client)
	return scan.Flavour, err
}

// NodeScan is what one pass over the nodes tells: the flavour they share and the addresses
// they hold.
type NodeScan struct {
	Flavour   Flavour
	Addresses []AddressUse
}

// ScanNodes lists the nodes once, a page at a time, for their flavour and InternalIPs.
func ScanNodes(ctx context.Context, client kubernetes.Interface) (NodeScan, error) {
	var scan NodeScan
	var example string
	err := eachNode(ctx, client, func(node *corev1.Node) error {
		f := FlavourOfVersion(node.Status.NodeInfo.KubeletVersion)
		if scan.Flavour != "" && f != scan.Flavour {
			return fmt.Errorf("%w: node %q is %s, node %q is %s", ErrMixedFlavour, example, scan.Flavour, node.Name, f)
		}
		scan.Flavour, example = f, node.Name
		scan.Addresses = append(scan.Addresses, internalIPs(node)...)
		return nil
	})
	if err != nil {
		return NodeScan{}, err
	}
	if scan.Flavour == "" {
		return NodeScan{}, ErrNoNodes
	}
	return scan, nil
}

// eachNode calls fn for every node, a page at a time.
func eachNode(ctx context.Context, client kubernetes.Interface, fn func(*corev1.Node) error) error {
	opts := metav1.ListOptions{Limit: listPageSize}
	for {
		list, err := client.CoreV1().Nodes().List(ctx, opts)
		if err != nil {
			return describeAPIError(err, "list", "nodes", "")
		}
		for i := range list.Items {
			if err := fn(&list.Items[i]); err != nil {
				return err
			}
		}
		if list.Continue == "" {
			return nil
		}
		opts.Continue = list.Continue
	}
}
