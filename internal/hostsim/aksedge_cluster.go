package hostsim

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// joinToken is a parsed Join.ClusterJoinToken.
type joinToken struct {
	caHash     string // K3s: the hex after "K10"
	id, secret string
}

func parseJoinToken(s string) (joinToken, error) {
	var t joinToken
	rest := s
	if strings.HasPrefix(s, "K10") {
		hash, after, ok := strings.Cut(s[3:], "::")
		if !ok {
			return t, fmt.Errorf("the join token is not in the K10<hash>::<id>.<secret> form")
		}
		t.caHash, rest = hash, after
	}
	id, secret, ok := strings.Cut(rest, ".")
	if !ok || len(id) != 6 || len(secret) != 16 {
		return t, fmt.Errorf("the join token is malformed")
	}
	t.id, t.secret = id, secret
	return t, nil
}

func (m *Machine) clusterClient() (kubernetes.Interface, error) {
	if m.opts.Cluster == nil {
		return nil, fmt.Errorf("the simulated host has no cluster to join")
	}
	return kubernetes.NewForConfig(m.opts.Cluster)
}

// takenIPs maps the InternalIPs of the cluster's nodes to the node names.
func (m *Machine) takenIPs(ctx context.Context) (map[string]string, error) {
	c, err := m.clusterClient()
	if err != nil {
		return nil, err
	}
	nodes, err := c.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	taken := map[string]string{}
	for _, n := range nodes.Items {
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP {
				taken[a.Address] = n.Name
			}
		}
	}
	return taken, nil
}

// verifyJoin checks the join secrets the way a joining kubelet and AKS EE would: the token
// must authenticate as a bootstrap token, the CA pin must match the cluster's CA, and the
// cluster id must match.
func (m *Machine) verifyJoin(ctx context.Context, cfg *deployConfig) error {
	tok, err := parseJoinToken(cfg.str("Join.ClusterJoinToken"))
	if err != nil {
		return err
	}
	if err := m.checkTokenFlavour(tok, cfg); err != nil {
		return err
	}
	if err := m.authenticate(ctx, tok); err != nil {
		return err
	}
	if err := m.checkCAPin(tok, cfg); err != nil {
		return err
	}
	return m.checkClusterID(ctx, cfg.str("Join.ClusterId"))
}

func (m *Machine) checkTokenFlavour(tok joinToken, cfg *deployConfig) error {
	switch m.Flavour() {
	case "k3s":
		if tok.caHash == "" {
			return fmt.Errorf("the join token is not a K3s token (K10<hash>::<id>.<secret>)")
		}
	case "k8s":
		if cfg.str("Join.DiscoveryTokenHash") == "" {
			return fmt.Errorf("a DiscoveryTokenHash is required to join a K8s cluster")
		}
	}
	return nil
}

// authenticate presents the token to the API server and checks who it says we are.
func (m *Machine) authenticate(ctx context.Context, tok joinToken) error {
	cfg := rest.AnonymousClientConfig(m.opts.Cluster)
	cfg.BearerToken = tok.id + "." + tok.secret
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	review, err := c.AuthenticationV1().SelfSubjectReviews().Create(ctx,
		&authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if apierrors.IsUnauthorized(err) {
		return fmt.Errorf("the cluster rejected the join token (Unauthorized): it is expired, " +
			"revoked or from another cluster")
	}
	if err != nil {
		return fmt.Errorf("could not reach the cluster to validate the join token: %w", err)
	}
	if got, want := review.Status.UserInfo.Username, "system:bootstrap:"+tok.id; got != want {
		return fmt.Errorf("the join token authenticated as %q, not as a bootstrap token", got)
	}
	return nil
}

func (m *Machine) checkCAPin(tok joinToken, cfg *deployConfig) error {
	ca := m.opts.Cluster.CAData
	if tok.caHash != "" && !k3sHashMatches(tok.caHash, ca) {
		return fmt.Errorf("the CA hash in the join token does not match the cluster's CA certificate")
	}
	if pin := cfg.str("Join.DiscoveryTokenHash"); pin != "" {
		want, err := spkiPin(ca)
		if err != nil {
			return err
		}
		if !strings.EqualFold(pin, want) {
			return fmt.Errorf("the DiscoveryTokenHash does not match the cluster's CA certificate")
		}
	}
	return nil
}

// k3sHashMatches compares the K10 hash with the SHA-256 of the CA bundle the server serves,
// allowing for the trailing newline a file may or may not carry.
func k3sHashMatches(hash string, ca []byte) bool {
	trimmed := strings.TrimRight(string(ca), "\n")
	for _, b := range []string{string(ca), trimmed, trimmed + "\n"} {
		sum := sha256.Sum256([]byte(b))
		if strings.EqualFold(hash, hex.EncodeToString(sum[:])) {
			return true
		}
	}
	return false
}

// spkiPin is kubeadm's discovery hash: sha256 of the CA certificate's SubjectPublicKeyInfo.
func spkiPin(ca []byte) (string, error) {
	block, _ := pem.Decode(ca)
	if block == nil {
		return "", fmt.Errorf("the cluster CA is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", fmt.Errorf("parse the cluster CA: %w", err)
	}
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

func (m *Machine) checkClusterID(ctx context.Context, id string) error {
	c, err := m.clusterClient()
	if err != nil {
		return err
	}
	cm, err := c.CoreV1().ConfigMaps("aksedge").Get(ctx, "aksedge", metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("read the cluster identity: %w", err)
	}
	if want := cm.Data["clustername"]; !strings.EqualFold(id, want) {
		return fmt.Errorf("the ClusterId '%s' does not match this cluster", id)
	}
	return nil
}
