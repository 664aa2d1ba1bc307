package scaleout

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
)

// ErrInvalid marks a planned file that the offline validator rejects.
var ErrInvalid = errors.New("the scale config would not be valid")

// Plan is a scale config checked against the cluster and the validator, waiting for a token.
type Plan struct {
	Request Request
	Facts   *Facts
	// Config is the file as it will be written, with a placeholder token.
	Config *aksedge.Config
	// Warnings are validator findings that do not stop the plan.
	Warnings []aksedge.Finding
}

// NewPlan reads the cluster, builds the file and checks it, minting nothing. fileName names
// the planned file in findings.
func NewPlan(ctx context.Context, client kubernetes.Interface, config *rest.Config, req Request,
	fileName string) (*Plan, error) {
	facts, err := Inspect(ctx, client, config, req.ClusterID)
	if err != nil {
		return nil, err
	}
	if !facts.Endpoint.Addr.IsValid() {
		klog.InfoS("Could not tell the cluster's control-plane endpoint; the primary config's "+
			"Network.ControlPlaneEndpointIp is taken on trust", "kubeconfigServer", config.Host)
	}
	if err := Check(req, facts); err != nil {
		return nil, err
	}
	p := &Plan{Request: req, Facts: facts, Config: Build(req, facts, facts.PlaceholderSecrets())}
	var errs []string
	for _, f := range aksedge.Validate(aksedge.File{Name: fileName, Config: p.Config}) {
		if f.Severity != aksedge.SeverityError {
			p.Warnings = append(p.Warnings, f)
			continue
		}
		errs = append(errs, f.String())
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w:\n  %s", ErrInvalid, strings.Join(errs, "\n  "))
	}
	return p, nil
}

// Mint creates the bootstrap token and returns the file with it. The caller owns the token:
// when it cannot deliver the file it must revoke it.
func (p *Plan) Mint(ctx context.Context, client kubernetes.Interface) (*aksedge.Config, *cluster.Token, error) {
	tok, err := cluster.MintToken(ctx, client, cluster.TokenOptions{
		Flavour: p.Facts.Flavour,
		TTL:     p.Request.TTL,
		Machine: p.Request.Machine,
	})
	if err != nil {
		return nil, nil, err
	}
	return Build(p.Request, p.Facts, p.Facts.Secrets(tok)), tok, nil
}
