package scaleout

import (
	"context"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
)

// Facts is what the live cluster tells about itself that a scale config needs.
type Facts struct {
	Flavour   cluster.Flavour
	ClusterID string
	// Endpoint is the control-plane VIP; its zero value means the cluster did not say.
	Endpoint cluster.Endpoint
	Used     []cluster.AddressUse
	// CAHash pins the cluster CA: the hex hash inside a K3s K10 token, or kubeadm's
	// "sha256:..." DiscoveryTokenHash on K8s.
	CAHash string
}

// Inspect reads the facts from the cluster. A non-empty clusterID replaces the one the
// cluster stores.
func Inspect(ctx context.Context, client kubernetes.Interface, config *rest.Config, clusterID string) (*Facts, error) {
	scan, err := cluster.ScanNodes(ctx, client)
	if err != nil {
		return nil, err
	}
	f := &Facts{Flavour: scan.Flavour, ClusterID: clusterID, Used: scan.Addresses}
	if f.ClusterID == "" {
		if f.ClusterID, err = cluster.ID(ctx, client); err != nil {
			return nil, err
		}
	}
	if f.Endpoint, err = cluster.ControlPlaneEndpoint(ctx, client, config); err != nil {
		return nil, err
	}
	balanced, err := cluster.LoadBalancerAddresses(ctx, client)
	if err != nil {
		return nil, err
	}
	f.Used = append(f.Used, balanced...)
	if f.CAHash, err = caHash(ctx, client, config, f.Flavour); err != nil {
		return nil, err
	}
	return f, nil
}

func caHash(ctx context.Context, client kubernetes.Interface, config *rest.Config, f cluster.Flavour) (string, error) {
	ca, err := cluster.CA(ctx, client, config)
	if err != nil && f == cluster.K8s {
		return "", err
	}
	if f == cluster.K8s {
		return cluster.DiscoveryTokenHash(ca.PEM)
	}
	return cluster.K3sCAHash(ctx, config, ca)
}

// Secrets returns the Join secrets for tok in the flavour's format.
func (f *Facts) Secrets(tok *cluster.Token) JoinSecrets {
	if f.Flavour == cluster.K3s {
		return JoinSecrets{Token: aksedge.Secret(cluster.K3sJoinToken(f.CAHash, tok))}
	}
	return JoinSecrets{Token: aksedge.Secret(tok.Value()), DiscoveryTokenHash: f.CAHash}
}

// PlaceholderSecrets stands in for a token that is not minted yet, so that a planned file
// can be validated (and shown with --dry-run) in the exact shape it will have.
func (f *Facts) PlaceholderSecrets() JoinSecrets {
	return f.Secrets(cluster.PlaceholderToken())
}
