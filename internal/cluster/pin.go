package cluster

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	bootstrapapi "k8s.io/cluster-bootstrap/token/api"
	"k8s.io/klog/v2"
)

// ErrNoCA means neither the kubeconfig nor the cluster publishes the cluster CA.
var ErrNoCA = errors.New("no cluster CA")

// CABundle is the cluster CA as PEM and where it came from.
type CABundle struct {
	PEM    []byte
	Source string
}

// CA returns the CA the kubeconfig trusts, else the one kubeadm publishes in
// kube-public/cluster-info.
func CA(ctx context.Context, client kubernetes.Interface, config *rest.Config) (CABundle, error) {
	if len(config.CAData) > 0 {
		return CABundle{PEM: config.CAData, Source: "kubeconfig"}, nil
	}
	if config.CAFile != "" {
		data, err := os.ReadFile(config.CAFile)
		if err != nil {
			return CABundle{}, fmt.Errorf("read kubeconfig CA file: %w", err)
		}
		return CABundle{PEM: data, Source: "kubeconfig CA file " + config.CAFile}, nil
	}
	cm, err := client.CoreV1().ConfigMaps(ClusterInfoNamespace).Get(ctx, ClusterInfoConfigMap, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return CABundle{}, fmt.Errorf("%w: the kubeconfig has no certificate-authority data and "+
			"ConfigMap %s/%s does not exist", ErrNoCA, ClusterInfoNamespace, ClusterInfoConfigMap)
	}
	if err != nil {
		return CABundle{}, describeAPIError(err, "get", "configmaps", ClusterInfoNamespace)
	}
	kubeconfig, err := clientcmd.Load([]byte(cm.Data[bootstrapapi.KubeConfigKey]))
	if err != nil {
		return CABundle{}, fmt.Errorf("parse %s/%s: %w", ClusterInfoNamespace, ClusterInfoConfigMap, err)
	}
	for _, c := range kubeconfig.Clusters {
		if len(c.CertificateAuthorityData) > 0 {
			return CABundle{PEM: c.CertificateAuthorityData, Source: "ConfigMap kube-public/cluster-info"}, nil
		}
	}
	return CABundle{}, fmt.Errorf("%w: %s/%s holds no CA", ErrNoCA, ClusterInfoNamespace, ClusterInfoConfigMap)
}

// DiscoveryTokenHash is kubeadm's CA pin: "sha256:" and the hex SHA-256 of the first CA
// certificate's DER SubjectPublicKeyInfo.
func DiscoveryTokenHash(caPEM []byte) (string, error) {
	block, _ := pem.Decode(caPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return "", fmt.Errorf("%w: the CA data holds no PEM certificate", ErrNoCA)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return "", fmt.Errorf("parse CA certificate: %w", err)
	}
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// K3sCAHash is the hash K3s puts in a full join token: the hex SHA-256 of the CA bundle bytes
// the server serves at /cacerts. A server that does not serve /cacerts (a plain
// kube-apiserver) falls back to the CA bytes in ca, which K3s serves verbatim.
func K3sCAHash(ctx context.Context, config *rest.Config, ca CABundle) (string, error) {
	bundle, err := fetchCACerts(ctx, config)
	source := "the server's " + K3sCACertsPath
	if err != nil {
		klog.V(2).InfoS("Server does not serve the K3s CA bundle; using the CA it was reached with",
			"path", K3sCACertsPath, "reason", err.Error(), "source", ca.Source)
		bundle, source = ca.PEM, ca.Source
	}
	if len(bundle) == 0 {
		return "", fmt.Errorf("%w: the server serves no %s and the kubeconfig has no CA", ErrNoCA, K3sCACertsPath)
	}
	klog.V(2).InfoS("Pinned the K3s CA bundle", "source", source)
	sum := sha256.Sum256(bundle)
	return hex.EncodeToString(sum[:]), nil
}

// K3sJoinToken assembles K3s's full token format, "K10<ca hash>::<id>.<secret>".
func K3sJoinToken(caHash string, tok *Token) string {
	return "K10" + caHash + "::" + tok.Value()
}

func fetchCACerts(ctx context.Context, config *rest.Config) ([]byte, error) {
	httpClient, err := rest.HTTPClientFor(config)
	if err != nil {
		return nil, err
	}
	url := strings.TrimSuffix(config.Host, "/") + K3sCACertsPath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", K3sCACertsPath, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if block, _ := pem.Decode(data); block == nil {
		return nil, fmt.Errorf("GET %s: the answer is not PEM", K3sCACertsPath)
	}
	return data, nil
}
