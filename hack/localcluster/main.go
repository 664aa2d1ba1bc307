// Command localcluster starts and stops a local Kubernetes control plane seeded as an AKS
// Edge Essentials primary; hack/local-cluster.sh builds it and runs it.
//
//	localcluster up --dir DIR --bin-dir BIN [--flavour k3s|k8s]   # prints DIR/kubeconfig
//	localcluster down --dir DIR
//	localcluster lb --kubeconfig FILE          # the LoadBalancer allocator, run by "up"
//	localcluster bench --bin-dir BIN [--runs 5] # warm start to /readyz, median of runs
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"github.com/kubectl-aksee/kubectl-aksee/internal/localcluster"
)

const usage = `usage:
  localcluster up --dir DIR --bin-dir BIN [--flavour k3s|k8s]
  localcluster down --dir DIR
  localcluster lb --kubeconfig FILE
  localcluster bench --bin-dir BIN [--runs N] [--dir DIR]`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "up":
		err = up(args)
	case "down":
		err = down(args)
	case "lb":
		err = lb(args)
	case "bench":
		err = bench(args)
	default:
		err = fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "localcluster: %v\n", err)
		os.Exit(1)
	}
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	klogFlags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(klogFlags)
	fs.Var(klogFlags.Lookup("v").Value, "v", "Log verbosity.")
	return fs
}

func up(args []string) error {
	fs := newFlags("up")
	dir := fs.String("dir", "", "Directory for the cluster's certificates, data, logs and kubeconfig.")
	binDir := fs.String("bin-dir", "",
		"Directory of the control-plane binaries (hack/build-controlplane.sh).")
	flavourFlag := fs.String("flavour", string(localcluster.K3s), "Seed flavour: k3s or k8s.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	flavour, err := localcluster.ParseFlavour(*flavourFlag)
	if err != nil {
		return fmt.Errorf("--flavour: %w", err)
	}
	if *dir == "" || *binDir == "" {
		return errors.New("--dir and --bin-dir are required")
	}
	absDir, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	kubeconfig, err := startSeeded(absDir, *binDir, flavour, os.Stderr)
	if err != nil {
		return err
	}
	fmt.Println(kubeconfig)
	return nil
}

// startSeeded starts a detached cluster in dir, seeds it and starts the LoadBalancer
// allocator beside it. On failure it stops what it started and shows the logs' tails.
func startSeeded(dir, binDir string, flavour localcluster.Flavour,
	progress io.Writer) (string, error) {
	ctx := context.Background()
	begin := time.Now()
	serviceCIDR, podCIDR := localcluster.FlavourCIDRs(flavour)
	c, err := localcluster.Start(ctx, localcluster.Options{
		Dir: dir, BinDir: binDir, Detach: true, ServiceCIDR: serviceCIDR, PodCIDR: podCIDR,
	})
	if errors.Is(err, localcluster.ErrRunning) {
		return "", fmt.Errorf("%w; stop it first with: hack/local-cluster.sh down %s", err, dir)
	}
	if err != nil {
		return "", fmt.Errorf("%w\n%s", err, localcluster.LogTails(dir, 20))
	}
	fmt.Fprintf(progress, "API server ready at %s after %.1fs\n",
		c.Server, time.Since(begin).Seconds())
	if err := seed(ctx, c, flavour); err != nil {
		_ = c.Stop()
		return "", fmt.Errorf("%w\n%s", err, localcluster.LogTails(dir, 20))
	}
	self, err := os.Executable()
	if err != nil {
		_ = c.Stop()
		return "", fmt.Errorf("find this program for the allocator: %w", err)
	}
	lbArgs := []string{"lb", "--kubeconfig", c.Kubeconfig}
	if err := c.AddProcess("loadbalancer", self, lbArgs, true); err != nil {
		_ = c.Stop()
		return "", err
	}
	fmt.Fprintf(progress, "Seeded as a %s primary after %.1fs; logs in %s\n",
		flavour, time.Since(begin).Seconds(), filepath.Join(dir, "logs"))
	return c.Kubeconfig, nil
}

func seed(ctx context.Context, c *localcluster.Cluster, flavour localcluster.Flavour) error {
	cfg, err := c.RESTConfig()
	if err != nil {
		return err
	}
	seeder, err := localcluster.NewSeeder(cfg)
	if err != nil {
		return err
	}
	p, err := seeder.Primary(flavour)
	if err != nil {
		return err
	}
	return seeder.Seed(ctx, p)
}

func down(args []string) error {
	fs := newFlags("down")
	dir := fs.String("dir", "", "Directory of the cluster to stop.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("--dir is required")
	}
	return localcluster.StopDir(*dir)
}

func lb(args []string) error {
	fs := newFlags("lb")
	kubeconfig := fs.String("kubeconfig", "", "Admin kubeconfig of the cluster.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return fmt.Errorf("load --kubeconfig: %w", err)
	}
	cfg.WarningHandler = rest.NoWarnings{}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return localcluster.RunLoadBalancer(ctx, client)
}
