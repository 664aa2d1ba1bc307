package plugin

import (
	"errors"
	"fmt"
	"net"
	"net/url"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// kubeClients is what a command needs to talk to the cluster.
type kubeClients struct {
	Config *rest.Config
	Client kubernetes.Interface
}

// newKubeClients builds the clients from the kubectl flags (--kubeconfig, --context, ...).
func newKubeClients(flags *genericclioptions.ConfigFlags) (kubeClients, error) {
	config, err := flags.ToRESTConfig()
	if err != nil {
		return kubeClients{}, fmt.Errorf("load kubeconfig: %w", err)
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return kubeClients{}, fmt.Errorf("create Kubernetes client: %w", err)
	}
	return kubeClients{Config: config, Client: client}, nil
}

// classifyAPIError gives errors that mean "the API server could not be reached" the
// ExitUnavailable code, so scripts can tell an outage from a refusal.
func classifyAPIError(err error) error {
	if err == nil {
		return nil
	}
	var urlErr *url.Error
	var netErr net.Error
	var exitErr *ExitError
	switch {
	case errors.As(err, &exitErr):
		return err
	case errors.As(err, &urlErr), errors.As(err, &netErr):
		return &ExitError{Code: ExitUnavailable, Err: err}
	}
	return err
}
