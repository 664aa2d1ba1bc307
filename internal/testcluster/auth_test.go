package testcluster_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubectl-aksee/kubectl-aksee/internal/testcluster"
)

func TestUserGroupsMeetRBAC(t *testing.T) {
	c := testcluster.Start(t, testcluster.K3s)
	ctx := ctxFor(t)
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "lab-operators-view"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: "Group", Name: "lab-operators"}},
	}
	_, err := c.Client.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := kubernetes.NewForConfig(c.UserConfig(t, "bob", "lab-operators"))
	if err != nil {
		t.Fatal(err)
	}

	// RBAC caches nothing per request, but the binding reaches its informer a moment later.
	var podsErr error
	for range 50 {
		if _, podsErr = bob.CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{}); podsErr == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, secretsErr := bob.CoreV1().Secrets("kube-system").List(ctx, metav1.ListOptions{})
	got := map[string]string{"pods": verdict(podsErr), "secrets": verdict(secretsErr)}
	want := map[string]string{"pods": "allowed", "secrets": "forbidden"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bob in lab-operators with view (-want +got):\n%s", diff)
	}
}

func verdict(err error) string {
	switch {
	case err == nil:
		return "allowed"
	case apierrors.IsForbidden(err):
		return "forbidden"
	}
	return err.Error()
}

func TestBootstrapTokenAuthenticates(t *testing.T) {
	c := testcluster.Start(t, testcluster.K8s)
	ctx := ctxFor(t)
	createBootstrapToken(t, c, "k8sabc", "0123456789abcdef")
	cfg := &rest.Config{
		Host:            c.Config.Host,
		TLSClientConfig: rest.TLSClientConfig{CAData: c.Config.CAData},
		BearerToken:     "k8sabc.0123456789abcdef",
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	review, err := client.AuthenticationV1().SelfSubjectReviews().Create(ctx,
		&authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("authenticate with the bootstrap token: %v", err)
	}
	user := review.Status.UserInfo
	if diff := cmp.Diff("system:bootstrap:k8sabc", user.Username); diff != "" {
		t.Errorf("user (-want +got):\n%s", diff)
	}
	if !slices.Contains(user.Groups, "system:bootstrappers:kubeadm:default-node-token") {
		t.Errorf("groups %v lack the kubeadm bootstrap group", user.Groups)
	}
}

func TestBootstrapSignerSignsClusterInfo(t *testing.T) {
	c := testcluster.Start(t, testcluster.K8s)
	ctx := ctxFor(t)
	createBootstrapToken(t, c, "sign01", "0123456789abcdef")

	for {
		cm, err := c.Client.CoreV1().ConfigMaps("kube-public").Get(ctx, "cluster-info",
			metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if cm.Data["jws-kubeconfig-sign01"] != "" {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("cluster-info was never signed for token sign01; keys: %v", slices.Sorted(maps.Keys(cm.Data)))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func createBootstrapToken(t *testing.T, c *testcluster.Cluster, id, secret string) {
	t.Helper()
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-" + id, Namespace: "kube-system"},
		Type:       corev1.SecretTypeBootstrapToken,
		StringData: map[string]string{
			"token-id":                       id,
			"token-secret":                   secret,
			"usage-bootstrap-authentication": "true",
			"usage-bootstrap-signing":        "true",
			"auth-extra-groups":              "system:bootstrappers:kubeadm:default-node-token",
			"expiration":                     time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		},
	}
	_, err := c.Client.CoreV1().Secrets("kube-system").Create(ctxFor(t), s, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}
