// Command hostsim runs a simulated Windows host with AKS Edge Essentials installed, reachable
// over WinRM on 127.0.0.1, that joins the cluster of --kubeconfig when asked to deploy. It
// prints its endpoint URL as the first line of stdout and runs until interrupted.
//
//	HOSTSIM_PASSWORD=secret go run ./hack/hostsim --kubeconfig admin.kubeconfig \
//	    --hostname aksee-worker02 --listen 127.0.0.1:5986 --ca-out hostsim-ca.pem
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
	"github.com/kubectl-aksee/kubectl-aksee/internal/hostsim"
)

type options struct {
	kubeconfig, hostname, listen, username, flavour, adapters, caOut    string
	http, hostFeatures, reject401, failDeployment, notElevated, noBasic bool
	deployDelay, switchDrop, reboot, slow                               time.Duration
	diskGB, memoryMB, processors                                        int
}

func main() {
	klog.InitFlags(nil)
	o := parseFlags()
	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "hostsim: %v\n", err)
		os.Exit(1)
	}
}

func parseFlags() *options {
	o := &options{}
	flag.StringVar(&o.kubeconfig, "kubeconfig", os.Getenv("KUBECONFIG"), "Admin kubeconfig of the cluster the host joins.")
	flag.StringVar(&o.hostname, "hostname", "aksee-worker02", "Host name; the nodes are <hostname>-ledge and -wedge.")
	flag.StringVar(&o.listen, "listen", "127.0.0.1:0", "Loopback address to listen on; port 0 picks one.")
	flag.BoolVar(&o.http, "http", false, "Serve plain HTTP instead of HTTPS with a generated certificate.")
	flag.StringVar(&o.username, "username", "Administrator",
		"The account WinRM accepts; its password is $HOSTSIM_PASSWORD.")
	flag.BoolVar(&o.noBasic, "disable-basic", false, "Refuse Basic authentication, as a default Windows host does.")
	flag.StringVar(&o.caOut, "ca-out", "", "Write the CA certificate of the HTTPS listener to this file.")
	flag.StringVar(&o.flavour, "flavour", "auto", "Installed AksEdge MSI: k3s, k8s, none, or auto (the cluster's).")
	flag.BoolVar(&o.hostFeatures, "host-features", false, "Start with the host features (Hyper-V) already enabled.")
	flag.StringVar(&o.adapters, "adapters", "Ethernet", "Comma-separated physical adapters that are up.")
	flag.IntVar(&o.diskGB, "free-disk-gb", 200, "Free disk space reported.")
	flag.IntVar(&o.memoryMB, "free-memory-mb", 32768, "Free memory reported.")
	flag.IntVar(&o.processors, "processors", 8, "Logical processors reported.")
	flag.BoolVar(&o.notElevated, "not-elevated", false, "Fault: WinRM sessions are not elevated.")
	flag.DurationVar(&o.deployDelay, "deploy-delay", 3*time.Second, "How long New-AksEdgeDeployment takes.")
	flag.DurationVar(&o.switchDrop, "switch-drop", 0,
		"Fault: drop every connection for this long when the switch is created.")
	flag.DurationVar(&o.reboot, "reboot", 0, "Fault: restart (refuse connections) for this long after host features.")
	flag.BoolVar(&o.reject401, "reject-401", false, "Fault: answer every request with 401.")
	flag.DurationVar(&o.slow, "slow", 0, "Fault: delay every response by this much.")
	flag.BoolVar(&o.failDeployment, "fail-deployment", false, "Fault: New-AksEdgeDeployment fails with a transcript.")
	flag.Parse()
	return o
}

func run(o *options) error {
	password := os.Getenv("HOSTSIM_PASSWORD")
	if password == "" {
		return errors.New("set HOSTSIM_PASSWORD to the password the host accepts")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	if err != nil {
		return fmt.Errorf("load --kubeconfig: %w", err)
	}
	if err := rest.LoadTLSFiles(cfg); err != nil {
		return fmt.Errorf("load --kubeconfig certificates: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	flavour, err := installedFlavour(ctx, o.flavour, cfg)
	if err != nil {
		return err
	}
	host, err := hostsim.StartHost(machineOptions(o, cfg, flavour), hostsim.ServerOptions{
		Listen: o.listen, HTTP: o.http, Username: o.username, Password: password,
		DisableBasic: o.noBasic, SlowResponses: o.slow, Reject401: o.reject401,
	})
	if err != nil {
		return err
	}
	defer func() { _ = host.Close() }()
	srv := host.Server
	if err := writeCA(o.caOut, srv.CACertPEM()); err != nil {
		return err
	}
	fmt.Println(srv.URL())
	klog.InfoS("Simulated host ready", "url", srv.URL(), "hostname", o.hostname, "flavour", flavour)
	<-ctx.Done()
	return nil
}

func machineOptions(o *options, cfg *rest.Config, flavour string) hostsim.MachineOptions {
	var adapters []hostsim.Adapter
	for _, name := range strings.Split(o.adapters, ",") {
		if name = strings.TrimSpace(name); name != "" {
			adapters = append(adapters, hostsim.Adapter{Name: name, Status: "Up"})
		}
	}
	return hostsim.MachineOptions{
		Hostname: o.hostname, Username: o.username, Cluster: cfg, Flavour: flavour,
		HostFeatures: o.hostFeatures, Adapters: adapters, FreeDiskGB: o.diskGB,
		FreeMemoryMB: o.memoryMB, LogicalProcessors: o.processors, NotElevated: o.notElevated,
		DeployDelay: o.deployDelay, SwitchDrop: o.switchDrop, Reboot: o.reboot,
		FailDeployment: o.failDeployment,
	}
}

// installedFlavour resolves --flavour; auto installs the MSI matching the cluster.
func installedFlavour(ctx context.Context, flag string, cfg *rest.Config) (string, error) {
	switch strings.ToLower(flag) {
	case "k3s", "k8s":
		return strings.ToLower(flag), nil
	case "none", "":
		return "", nil
	case "auto":
		client, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			return "", err
		}
		f, err := cluster.DetectFlavour(ctx, client)
		if err != nil {
			return "", fmt.Errorf("detect the cluster's flavour for --flavour auto: %w", err)
		}
		return string(f), nil
	}
	return "", fmt.Errorf("--flavour %q is not k3s, k8s, none or auto", flag)
}

func writeCA(path string, pem []byte) error {
	if path == "" || pem == nil {
		return nil
	}
	if err := os.WriteFile(path, pem, 0o644); err != nil {
		return fmt.Errorf("write --ca-out: %w", err)
	}
	return nil
}
