// Package localcluster runs a real Kubernetes control plane on 127.0.0.1: etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler and kwok (which plays the
// kubelets), from binaries built by hack/build-controlplane.sh. It also seeds the cluster
// to look like a freshly deployed AKS Edge Essentials primary and hands out LoadBalancer
// addresses the way kube-vip-cloud-provider does.
//
// The package serves the integration tests (through internal/testcluster) and
// hack/local-cluster.sh; nothing in it ever sends traffic to the seeded 10.x addresses,
// which are only data in the API server.
package localcluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Layout of a cluster directory.
const (
	KubeconfigFile = "kubeconfig"
	stateFile      = "state.json"
	logSubdir      = "logs"
	pkiSubdir      = "pki"
	etcdSubdir     = "etcd"
)

// Defaults of Options.
const (
	DefaultServiceCIDR = "10.43.0.0/16" // K3s's; the seed never hard-codes a ClusterIP
	DefaultPodCIDR     = "10.42.0.0/16" // K3s's; kwok hands pod IPs out of it
	k8sServiceCIDR     = "10.96.0.0/12"
	k8sPodCIDR         = "10.244.0.0/16"
	DefaultStartWait   = 90 * time.Second
	stopGrace          = 5 * time.Second
	startAttempts      = 3
)

// KwokNodeAnnotation marks the nodes kwok manages (makes Ready, runs pods on). A node
// without it is left alone, so a test can keep one NotReady.
const KwokNodeAnnotation = "kwok.x-k8s.io/node"

// KwokNodeAnnotationValue is the value of KwokNodeAnnotation kwok selects on.
const KwokNodeAnnotationValue = "fake"

// ErrRunning is returned by Start when the directory holds a cluster that still runs.
var ErrRunning = errors.New("a local cluster is already running in this directory")

// Options configures Start.
type Options struct {
	// Dir holds the certificates, etcd data, logs, state file and kubeconfig.
	Dir string
	// BinDir holds kube-apiserver, kube-controller-manager, kube-scheduler, etcd, kwok and
	// kwok-stages/, as printed by hack/build-controlplane.sh.
	BinDir string
	// Detach starts the processes in their own session so they outlive this program; Stop
	// or StopDir ends them. Attached processes die with this program.
	Detach bool
	// ServiceCIDR and PodCIDR default to K3s's ranges.
	ServiceCIDR, PodCIDR string
	// StartWait bounds the wait for /readyz; DefaultStartWait if zero.
	StartWait time.Duration
}

// Cluster is a running local control plane.
type Cluster struct {
	Dir        string `json:"dir"`
	Kubeconfig string `json:"kubeconfig"` // admin kubeconfig, Dir/kubeconfig
	Server     string `json:"server"`     // https://127.0.0.1:PORT
	PKI        PKI    `json:"pki"`

	Processes []*process `json:"processes"`
}

// Start starts a control plane in opts.Dir and returns once /readyz answers ok. On error it
// stops whatever it started; LogTails(opts.Dir, n) then tells why.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	opts.setDefaults()
	for attempt := 1; ; attempt++ {
		c, ports, err := prepare(opts)
		if err != nil {
			return nil, err
		}
		err = c.startAll(ctx, opts, ports)
		if err == nil {
			return c, nil
		}
		_ = c.Stop()
		// freePorts releases the ports before the components bind them; another program
		// may take one meanwhile, and then a second try with new ports succeeds.
		portTaken := strings.Contains(LogTails(opts.Dir, 5), "address already in use")
		if attempt == startAttempts || !portTaken {
			return nil, err
		}
	}
}

// FlavourCIDRs returns the service and pod ranges AKS Edge Essentials uses for flavour f.
// A cluster started with them looks like f from the inside too (ClusterIPs, pod IPs); the
// default of Options is K3s's, which a shared test cluster keeps for both flavours.
func FlavourCIDRs(f Flavour) (service, pod string) {
	if f == K8s {
		return k8sServiceCIDR, k8sPodCIDR
	}
	return DefaultServiceCIDR, DefaultPodCIDR
}

func (o *Options) setDefaults() {
	if o.ServiceCIDR == "" {
		o.ServiceCIDR = DefaultServiceCIDR
	}
	if o.PodCIDR == "" {
		o.PodCIDR = DefaultPodCIDR
	}
	if o.StartWait == 0 {
		o.StartWait = DefaultStartWait
	}
}

// prepare clears what a previous run left in the directory, picks ports and writes the
// certificates and the kubeconfig.
func prepare(opts Options) (*Cluster, []int, error) {
	if old, err := load(opts.Dir); err == nil && old.anyRunning() {
		return nil, nil, fmt.Errorf("start in %q: %w", opts.Dir, ErrRunning)
	}
	for _, sub := range []string{etcdSubdir, pkiSubdir, logSubdir, stateFile, KubeconfigFile} {
		if err := os.RemoveAll(filepath.Join(opts.Dir, sub)); err != nil {
			return nil, nil, fmt.Errorf("clean %q: %w", opts.Dir, err)
		}
	}
	if err := os.MkdirAll(filepath.Join(opts.Dir, logSubdir), 0o700); err != nil {
		return nil, nil, fmt.Errorf("create %q: %w", opts.Dir, err)
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, nil, err
	}
	c := &Cluster{
		Dir:        opts.Dir,
		Kubeconfig: filepath.Join(opts.Dir, KubeconfigFile),
		Server:     "https://127.0.0.1:" + strconv.Itoa(ports[2]),
		PKI:        PKI{Dir: filepath.Join(opts.Dir, pkiSubdir)},
	}
	if err := c.PKI.Generate(servingHosts()); err != nil {
		return nil, nil, err
	}
	if err := c.writeKubeconfig(); err != nil {
		return nil, nil, err
	}
	return c, ports, nil
}

func servingHosts() []string {
	return []string{
		"127.0.0.1", "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
		"kubernetes.default.svc.cluster.local", "10.43.0.1", "10.96.0.1",
	}
}

// component is one program of the control plane and its arguments.
type component struct {
	name string
	args []string
}

// startAll starts etcd and the API server together (the API server retries etcd while it
// initialises), waits for /readyz, then starts the components that talk to the API server.
func (c *Cluster) startAll(ctx context.Context, opts Options, ports []int) error {
	etcdClient, etcdPeer, apiPort := ports[0], ports[1], ports[2]
	storage := []component{
		{"etcd", etcdArgs(c.Dir, etcdClient, etcdPeer)},
		{"kube-apiserver", apiserverArgs(c.PKI, etcdClient, apiPort, opts.ServiceCIDR)},
	}
	if err := c.startComponents(opts, storage); err != nil {
		return err
	}
	if err := c.waitReady(ctx, opts.StartWait); err != nil {
		return err
	}
	return c.startComponents(opts, []component{
		{"kube-controller-manager", controllerManagerArgs(c.PKI, c.Kubeconfig, opts.ServiceCIDR)},
		{"kube-scheduler", schedulerArgs(c.Kubeconfig)},
		{"kwok", kwokArgs(c.Kubeconfig, opts.BinDir, opts.PodCIDR)},
	})
}

func (c *Cluster) startComponents(opts Options, comps []component) error {
	for _, comp := range comps {
		if err := c.start(opts, comp.name, comp.args); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cluster) start(opts Options, name string, args []string) error {
	p, err := startProcess(name, filepath.Join(opts.BinDir, name), args,
		filepath.Join(c.Dir, logSubdir), opts.Detach)
	if err != nil {
		return err
	}
	c.Processes = append(c.Processes, p)
	return c.save()
}

// waitReady polls /readyz until it answers ok, a component exits, or the time is up.
func (c *Cluster) waitReady(ctx context.Context, limit time.Duration) error {
	cfg, err := c.RESTConfig()
	if err != nil {
		return err
	}
	cfg.Timeout = 2 * time.Second
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("create client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		for _, p := range c.Processes {
			if !p.running() {
				return fmt.Errorf("start %s: exited early (see %s)", p.Name,
					filepath.Join(c.Dir, logSubdir, p.Name+".log"))
			}
		}
		body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err == nil && string(body) == "ok" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s/readyz: %w", c.Server, errors.Join(ctx.Err(), err))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop stops every process of the cluster, the last started first, and forgets them.
func (c *Cluster) Stop() error {
	var errs []error
	for i := len(c.Processes) - 1; i >= 0; i-- {
		if err := c.Processes[i].stop(stopGrace); err != nil {
			errs = append(errs, err)
		}
	}
	c.Processes = nil
	if err := os.Remove(filepath.Join(c.Dir, stateFile)); err != nil && !os.IsNotExist(err) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// StopDir stops the cluster whose state file is in dir, as started by another program with
// Options.Detach. A directory without a state file holds nothing to stop.
func StopDir(dir string) error {
	c, err := load(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return c.Stop()
}

// Running reports whether any process of the cluster in dir still runs.
func Running(dir string) bool {
	c, err := load(dir)
	return err == nil && c.anyRunning()
}

func (c *Cluster) anyRunning() bool {
	for _, p := range c.Processes {
		if p.running() {
			return true
		}
	}
	return false
}

// AddProcess starts name (a program outside BinDir, such as the LoadBalancer allocator) as
// part of the cluster, so Stop and StopDir end it too.
func (c *Cluster) AddProcess(name, path string, args []string, detach bool) error {
	p, err := startProcess(name, path, args, filepath.Join(c.Dir, logSubdir), detach)
	if err != nil {
		return err
	}
	c.Processes = append(c.Processes, p)
	return c.save()
}

func (c *Cluster) save() error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode cluster state: %w", err)
	}
	return writeFile(filepath.Join(c.Dir, stateFile), data)
}

func load(dir string) (*Cluster, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, fmt.Errorf("read cluster state: %w", err)
	}
	c := &Cluster{}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("read cluster state %q: %w", filepath.Join(dir, stateFile), err)
	}
	return c, nil
}

// RESTConfig returns an admin client configuration.
func (c *Cluster) RESTConfig() (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("load %q: %w", c.Kubeconfig, err)
	}
	return cfg, nil
}

// UserConfig returns a client configuration for user in groups, authenticated by a client
// certificate from the cluster CA. Without groups the user has only what RBAC gives every
// authenticated user.
func (c *Cluster) UserConfig(user string, groups ...string) (*rest.Config, error) {
	certPEM, keyPEM, err := c.PKI.ClientCert(user, groups...)
	if err != nil {
		return nil, err
	}
	caPEM, err := c.PKI.CACertPEM()
	if err != nil {
		return nil, err
	}
	return &rest.Config{
		Host: c.Server,
		TLSClientConfig: rest.TLSClientConfig{
			CAData: caPEM, CertData: certPEM, KeyData: keyPEM,
		},
	}, nil
}

func (c *Cluster) writeKubeconfig() error {
	caPEM, err := c.PKI.CACertPEM()
	if err != nil {
		return err
	}
	certPEM, err := os.ReadFile(c.PKI.Path(AdminCertFile))
	if err != nil {
		return fmt.Errorf("read admin certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(c.PKI.Path(AdminKeyFile))
	if err != nil {
		return fmt.Errorf("read admin key: %w", err)
	}
	const name = "aksee-local"
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[name] = &clientcmdapi.Cluster{Server: c.Server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos[adminUser] = &clientcmdapi.AuthInfo{
		ClientCertificateData: certPEM, ClientKeyData: keyPEM,
	}
	cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: adminUser}
	cfg.CurrentContext = name
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return fmt.Errorf("encode kubeconfig: %w", err)
	}
	return writeFile(c.Kubeconfig, data)
}
