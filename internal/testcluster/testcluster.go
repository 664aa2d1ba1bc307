// Package testcluster gives integration tests a real Kubernetes control plane, seeded as a
// freshly deployed AKS Edge Essentials primary (see internal/localcluster).
//
// A test binary opts in with
//
//	func TestMain(m *testing.M) { testcluster.Main(m) }
//
// and a test calls Start. The first Start of the binary starts one shared control plane;
// every Start then resets it to the seed of the requested flavour and holds it exclusively
// until the test ends, so tests stay independent without paying for a start each. The
// control plane is stopped when Main returns.
//
// A reset deletes the nodes, namespaces, CSRs and cluster RBAC objects tests made, the
// objects they made in default and aksedge, bootstrap-token Secrets and new or changed pods
// in kube-system, uncordons the seeded node and applies the seed again (which restores the
// seeded fields, such as the kubevip range or the aksedge ConfigMap). A test that makes
// anything else outside its own namespaces (a ConfigMap in kube-system, say) deletes it
// itself. Nodes annotated kwok.x-k8s.io/node=fake are made Ready by kwok and run their
// pods; other nodes keep whatever status the test writes.
//
// The binaries come from AKSEE_CONTROLPLANE_DIR, or else from hack/build-controlplane.sh. A
// cold build takes about 20 minutes, more than go test's default timeout, so run
// "make controlplane" once first. AKSEE_SKIP_INTEGRATION=1 makes Start skip the test.
package testcluster

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubectl-aksee/kubectl-aksee/internal/localcluster"
)

// Flavour is the Kubernetes distribution a test wants the cluster seeded as.
type Flavour = localcluster.Flavour

// The flavours Start accepts.
const (
	K3s = localcluster.K3s
	K8s = localcluster.K8s
)

// Environment variables read by this package.
const (
	EnvControlPlaneDir = "AKSEE_CONTROLPLANE_DIR"
	EnvSkip            = "AKSEE_SKIP_INTEGRATION"
)

// resetTimeout bounds one reset, including waiting for deleted namespaces to go.
const resetTimeout = 2 * time.Minute

// Cluster is the shared control plane as one test sees it.
type Cluster struct {
	Config     *rest.Config         // admin; a copy the test may change
	Client     kubernetes.Interface // admin
	Kubeconfig string               // path of an admin kubeconfig file; do not modify it
	Primary    localcluster.Primary // the seed values of the requested flavour

	local *localcluster.Cluster
}

var shared struct {
	mainCalled bool
	once       sync.Once
	env        *env
	err        error
	lock       chan struct{} // one slot: the test holding the cluster
	mu         sync.Mutex    // guards holder
	holder     string
}

func init() {
	shared.lock = make(chan struct{}, 1)
}

// Main runs the tests of m and stops the shared control plane afterwards. Call it from
// TestMain; the testing package exits with m.Run's code when TestMain returns.
func Main(m *testing.M) {
	shared.mainCalled = true
	m.Run()
	if shared.env != nil {
		shared.env.stop()
	}
}

// Start returns the shared cluster reset to the seed of flavour f, exclusive to t until t
// ends. A test calls Start once; its subtests share the result (a nested Start would wait
// for the parent and fails instead). Tests marked t.Parallel queue for the cluster.
func Start(t testing.TB, f Flavour) *Cluster {
	t.Helper()
	if os.Getenv(EnvSkip) == "1" {
		t.Skipf("%s=1: skipping a test that needs the local control plane", EnvSkip)
	}
	if !shared.mainCalled {
		t.Fatal("testcluster.Start needs func TestMain(m *testing.M) { testcluster.Main(m) }")
	}
	shared.once.Do(func() { shared.env, shared.err = startEnv() })
	if shared.err != nil {
		t.Fatalf("start the local control plane: %v", shared.err)
	}
	acquire(t)
	ctx, cancel := context.WithTimeout(context.Background(), resetTimeout)
	defer cancel()
	primary, err := shared.env.reset(ctx, f)
	if err != nil {
		t.Fatalf("reset the local control plane to %s: %v", f, err)
	}
	cfg := rest.CopyConfig(shared.env.config)
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatalf("create client: %v", err)
	}
	return &Cluster{
		Config:     cfg,
		Client:     client,
		Kubeconfig: shared.env.local.Kubeconfig,
		Primary:    primary,
		local:      shared.env.local,
	}
}

// acquire waits for the cluster and releases it when t ends.
func acquire(t testing.TB) {
	t.Helper()
	select {
	case shared.lock <- struct{}{}:
	default:
		if h := holder(); h != "" && strings.HasPrefix(t.Name(), h+"/") {
			t.Fatalf("%s calls testcluster.Start while its parent %s holds the cluster; "+
				"use the parent's *Cluster", t.Name(), h)
		}
		shared.lock <- struct{}{}
	}
	setHolder(t.Name())
	t.Cleanup(func() {
		setHolder("")
		<-shared.lock
	})
}

func holder() string {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	return shared.holder
}

func setHolder(name string) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	shared.holder = name
}

// UserConfig returns a client configuration for user in groups, authenticated by a client
// certificate of the cluster CA. Without groups the user has only the rights RBAC gives
// every authenticated user.
func (c *Cluster) UserConfig(t testing.TB, name string, groups ...string) *rest.Config {
	t.Helper()
	cfg, err := c.local.UserConfig(name, groups...)
	if err != nil {
		t.Fatalf("user config for %q: %v", name, err)
	}
	return cfg
}
