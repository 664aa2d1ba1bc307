package plugin

import (
	"context"
	"crypto/rand"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubectl-aksee/kubectl-aksee/internal/testcluster"
)

// BenchmarkScaleConfig compares scale-config end to end (flags, --from file, cluster reads,
// validation, token, 0600 file) with a bare client-go program making the same six API calls.
// Run: go test -run '^$' -bench ScaleConfig -benchtime 200x ./plugin/
func BenchmarkScaleConfig(b *testing.B) {
	c := testcluster.Start(b, testcluster.K3s)
	primary := writePrimaryConfig(b, c, c.Primary.VIP)
	out := filepath.Join(b.TempDir(), "worker.json")
	ctx := context.Background()

	b.Run("kubectl-aksee", func(b *testing.B) {
		for b.Loop() {
			res := runAksee(b, "--kubeconfig", c.Kubeconfig, "scale-config", "--from", primary,
				"--linux-ip", "10.10.75.62", "--machine-name", "bench", "--out", out)
			if res.code != 0 {
				b.Fatalf("scale-config exited %d: %s", res.code, res.stderr)
			}
			b.StopTimer()
			deleteTokens(b, c.Client)
			b.StartTimer()
		}
	})
	b.Run("client-go-baseline", func(b *testing.B) {
		httpClient, err := rest.HTTPClientFor(c.Config)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			baselineCalls(ctx, b, c, httpClient)
			b.StopTimer()
			deleteTokens(b, c.Client)
			b.StartTimer()
		}
	})
}

// baselineCalls makes the API calls scale-config makes on K3s, and nothing else: one page of
// nodes, the aksedge ConfigMap, the kube-vip DaemonSet, one page of Services, /cacerts and
// the token Secret.
func baselineCalls(ctx context.Context, b *testing.B, c *testcluster.Cluster, httpClient *http.Client) {
	client := c.Client
	list := metav1.ListOptions{Limit: 500}
	_, err := client.CoreV1().Nodes().List(ctx, list)
	check(b, err)
	_, err = client.CoreV1().ConfigMaps("aksedge").Get(ctx, "aksedge", metav1.GetOptions{})
	check(b, err)
	_, err = client.AppsV1().DaemonSets("kube-system").Get(ctx, "kube-vip-ds", metav1.GetOptions{})
	check(b, err)
	_, err = client.CoreV1().Services("").List(ctx, list)
	check(b, err)
	resp, err := httpClient.Get(strings.TrimSuffix(c.Config.Host, "/") + "/cacerts")
	check(b, err)
	resp.Body.Close()
	id := strings.ToLower(rand.Text()[:6])
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-" + id, Namespace: "kube-system",
			Labels: map[string]string{"app.kubernetes.io/managed-by": "kubectl-aksee"}},
		Type:       "bootstrap.kubernetes.io/token",
		StringData: map[string]string{"token-id": id, "token-secret": "0123456789abcdef"},
	}
	_, err = client.CoreV1().Secrets("kube-system").Create(ctx, secret, metav1.CreateOptions{})
	check(b, err)
}

func check(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

func deleteTokens(b *testing.B, client kubernetes.Interface) {
	b.Helper()
	err := client.CoreV1().Secrets("kube-system").DeleteCollection(context.Background(), metav1.DeleteOptions{},
		metav1.ListOptions{FieldSelector: "type=bootstrap.kubernetes.io/token"})
	check(b, err)
}
