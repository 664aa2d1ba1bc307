package testcluster

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubectl-aksee/kubectl-aksee/internal/localcluster"
)

const (
	modulePath  = "github.com/kubectl-aksee/kubectl-aksee"
	buildScript = "hack/build-controlplane.sh"
	// logTailLines is how much of each component log a failed start shows.
	logTailLines = 25
	tempPrefix   = "aksee-testcluster-"
	staleAfter   = 10 * time.Minute
)

// env is the shared control plane of one test binary.
type env struct {
	dir    string
	local  *localcluster.Cluster
	config *rest.Config
	client kubernetes.Interface
	dyn    dynamic.Interface
	seeder *localcluster.Seeder

	stopLB context.CancelFunc
	lbDone chan struct{}

	// settled maps the kube-system pods after the last reset to their resource versions;
	// a reset deletes pods that are new or changed since, so controllers recreate them.
	settled map[types.UID]string
}

func startEnv() (*env, error) {
	binDir, err := controlPlaneDir()
	if err != nil {
		return nil, err
	}
	removeStale()
	dir, err := os.MkdirTemp("", tempPrefix)
	if err != nil {
		return nil, fmt.Errorf("create a directory for the control plane: %w", err)
	}
	e, err := startIn(dir, binDir)
	if err != nil {
		tails := localcluster.LogTails(dir, logTailLines)
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("%w\n%s", err, tails)
	}
	return e, nil
}

// removeStale removes the directories of earlier test binaries that were killed before Main
// could clean up (their processes died with them). A directory whose cluster still runs, or
// that is young enough to belong to a binary still starting, stays.
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, dir := range dirs {
		st, err := os.Stat(dir)
		if err != nil || time.Since(st.ModTime()) < staleAfter || localcluster.Running(dir) {
			continue
		}
		_ = os.RemoveAll(dir)
	}
}

func startIn(dir, binDir string) (*env, error) {
	ctx := context.Background()
	local, err := localcluster.Start(ctx, localcluster.Options{Dir: dir, BinDir: binDir})
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir, local: local}
	if err := e.connect(); err != nil {
		_ = local.Stop()
		return nil, err
	}
	lbCtx, cancel := context.WithCancel(ctx)
	e.stopLB, e.lbDone = cancel, make(chan struct{})
	go func() {
		defer close(e.lbDone)
		_ = localcluster.RunLoadBalancer(lbCtx, e.client)
	}()
	return e, nil
}

func (e *env) connect() error {
	cfg, err := e.local.RESTConfig()
	if err != nil {
		return err
	}
	// client-go's default of 5 requests a second would make every reset crawl.
	cfg.QPS, cfg.Burst = 200, 400
	cfg.WarningHandler = rest.NoWarnings{}
	e.config = cfg
	if e.client, err = kubernetes.NewForConfig(cfg); err != nil {
		return fmt.Errorf("create client: %w", err)
	}
	if e.dyn, err = dynamic.NewForConfig(cfg); err != nil {
		return fmt.Errorf("create dynamic client: %w", err)
	}
	e.seeder, err = localcluster.NewSeeder(cfg)
	return err
}

func (e *env) stop() {
	if e.stopLB != nil {
		e.stopLB()
		select {
		case <-e.lbDone:
		case <-time.After(5 * time.Second):
		}
	}
	_ = e.local.Stop()
	_ = os.RemoveAll(e.dir)
}

// controlPlaneDir returns the directory of the control-plane binaries: $AKSEE_CONTROLPLANE_DIR,
// or what hack/build-controlplane.sh prints (it builds on first use and then reuses a cache).
func controlPlaneDir() (string, error) {
	if dir := os.Getenv(EnvControlPlaneDir); dir != "" {
		return dir, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", fmt.Errorf("find %s (or set %s): %w", buildScript, EnvControlPlaneDir, err)
	}
	cmd := exec.Command(filepath.Join(root, buildScript))
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("run %s: %w\n%s", buildScript, err, stderr.String())
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("run %s: it printed no directory", buildScript)
	}
	return dir, nil
}

// moduleRoot walks up from the working directory (a test runs in its package directory) to
// the go.mod of this module.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isModuleRoot(dir) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod of " + modulePath + " above the working directory")
		}
		dir = parent
	}
}

func isModuleRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "module ") {
			return strings.TrimSpace(strings.TrimPrefix(line, "module ")) == modulePath
		}
	}
	return false
}
