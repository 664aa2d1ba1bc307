package hostops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"k8s.io/klog/v2"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
)

// deployFailedPrefix starts the transcript line the runner writes when the cmdlet throws.
const deployFailedPrefix = "New-AksEdgeDeployment failed: "

func (p *procedure) planPush() []string {
	return []string{
		fmt.Sprintf("create %s, readable by Administrators and SYSTEM only", RemoteDir),
		fmt.Sprintf("copy the config to %s with AdapterName set to the chosen adapter, and the "+
			"deployment runner to %s", RemoteConfig, RemoteRunner),
	}
}

// hostConfig renders the config as the host gets it: the chosen adapter, secrets revealed.
func (p *procedure) hostConfig(showSecrets bool) ([]byte, error) {
	cfg := p.o.Config.Clone()
	for i := range cfg.Machines {
		if p.adapter == "" {
			break
		}
		if cfg.Machines[i].NetworkConnection == nil {
			cfg.Machines[i].NetworkConnection = &aksedge.NetworkConnection{}
		}
		cfg.Machines[i].NetworkConnection.AdapterName = p.adapter
	}
	return aksedge.Marshal(cfg, showSecrets)
}

func (p *procedure) push(ctx context.Context) error {
	d := defaultScriptData()
	if err := p.stream(ctx, "prepare-dir.ps1", d); err != nil {
		return err
	}
	data, err := p.hostConfig(true)
	if err != nil {
		return err
	}
	p.pushed = true
	if err := p.copyFile(ctx, bytes.NewReader(data), RemoteConfig); err != nil {
		return err
	}
	runner := mustScript("deploy-runner.ps1", d)
	return p.copyFile(ctx, strings.NewReader(runner), RemoteRunner)
}

func (p *procedure) planNetworkTest() []string {
	return []string{fmt.Sprintf("Test-AksEdgeNetworkParameters -JsonConfigFilePath %s; its messages are "+
		"shown, and False stops here", RemoteConfig)}
}

func (p *procedure) networkTest(ctx context.Context) error {
	code, stderr, err := p.exec(ctx, "network-test.ps1", defaultScriptData(), p.hostLines())
	switch {
	case err != nil:
		return err
	case code == 3:
		return errors.New("the network test (Test-AksEdgeNetworkParameters) returned False; see its messages above")
	case code != 0:
		return scriptFailed("network-test.ps1", code, stderr)
	}
	return nil
}

func (p *procedure) planStart() []string {
	return []string{fmt.Sprintf("register and start scheduled task %q, which runs New-AksEdgeDeployment "+
		"with a transcript in %s and its result in %s, so the switch creation's network drop "+
		"cannot end it", TaskName, RemoteLog, RemoteResult)}
}

func (p *procedure) start(ctx context.Context) error {
	return p.stream(ctx, "start-deploy.ps1", defaultScriptData())
}

func (p *procedure) planWait() []string {
	return []string{"reconnect as needed, show the transcript as it grows and wait for New-AksEdgeDeployment " +
		"to return OK; on failure show the last transcript lines and run Get-AksEdgeLogs"}
}

// tail is the state of the deployment as the tail script reports it.
type tail struct {
	lines          []string
	task, result   string
	hasTask, final bool
}

func parseTail(out string) tail {
	var t tail
	for _, line := range strings.Split(strings.TrimRight(strings.ReplaceAll(out, "\r\n", "\n"), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, tailMarker+"task="):
			t.task, t.hasTask = strings.TrimPrefix(line, tailMarker+"task="), true
		case strings.HasPrefix(line, tailMarker+"result="):
			t.result, t.final = strings.TrimPrefix(line, tailMarker+"result="), true
		case !t.hasTask:
			t.lines = append(t.lines, line)
		}
	}
	return t
}

// waitDeployment follows the transcript until the result file appears.
func (p *procedure) waitDeployment(ctx context.Context) error {
	d := defaultScriptData()
	var transcript []string
	idle := 0
	for {
		d.Skip = len(transcript)
		out, err := p.capture(ctx, "tail.ps1", d)
		if err != nil {
			return err
		}
		t := parseTail(out)
		for _, l := range t.lines {
			p.hostLine(l)
		}
		transcript = append(transcript, t.lines...)
		if t.final {
			return p.deploymentResult(ctx, t.result, transcript)
		}
		if t.task != "Running" {
			if idle++; idle > 3 {
				return p.deploymentFailed(ctx, "the deployment task is not running and left no result", transcript)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the deployment did not finish in time: %w", ctx.Err())
		case <-time.After(p.o.PollInterval):
		}
	}
}

func (p *procedure) deploymentResult(ctx context.Context, result string, transcript []string) error {
	if result == "OK" {
		p.progress("New-AksEdgeDeployment returned OK")
		return nil
	}
	msg := "New-AksEdgeDeployment did not return OK"
	for _, l := range transcript {
		if i := strings.Index(l, deployFailedPrefix); i >= 0 {
			msg = "the host says: " + l[i+len(deployFailedPrefix):]
		}
	}
	return p.deploymentFailed(ctx, msg, transcript)
}

// deploymentFailed shows the end of the transcript and collects the host's logs.
func (p *procedure) deploymentFailed(ctx context.Context, msg string, transcript []string) error {
	p.progress("last lines of the deployment transcript (%s):", RemoteLog)
	for _, l := range transcript[max(0, len(transcript)-15):] {
		p.hostLine(l)
	}
	p.progress("collecting logs with Get-AksEdgeLogs…")
	if out, err := p.capture(ctx, "logs.ps1", defaultScriptData()); err != nil {
		p.progress("Get-AksEdgeLogs failed: %v", err)
	} else {
		p.progress("%s", lastLines(out, 3))
	}
	return errors.New(msg)
}

func (p *procedure) planCleanup() []string {
	return []string{fmt.Sprintf("delete %s (it holds the join token) and the scheduled task; keep "+
		"the transcript", RemoteConfig)}
}

func (p *procedure) cleanup(ctx context.Context) error {
	return p.stream(ctx, "cleanup.ps1", defaultScriptData())
}

func (p *procedure) planRevoke() []string {
	id, err := tokenID(p.o.Config)
	if err != nil {
		id = "<unknown>"
	}
	return []string{fmt.Sprintf("delete bootstrap token %s from the cluster: the join used it up", id)}
}

func (p *procedure) revoke(ctx context.Context) error {
	id, err := tokenID(p.o.Config)
	if err != nil {
		return err
	}
	err = cluster.RevokeToken(ctx, p.o.Client, id)
	if errors.Is(err, cluster.ErrTokenNotFound) {
		klog.V(2).InfoS("Join token already gone", "id", id)
		return nil
	}
	return err
}

// rollback undoes what a failed run left behind: the config on the host and the token.
// Nothing is undone after a refusal in preflight, where nothing was changed.
func (p *procedure) rollback(failed string) {
	if !p.pushed {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p.progress("%s failed; removing the config from the host and revoking the join token", failed)
	if err := p.cleanup(ctx); err != nil {
		p.progress("could not remove the config from the host: %v", err)
	}
	if err := p.revoke(ctx); err != nil {
		p.progress("could not revoke the join token: %v", err)
	}
}

// tokenID is the public half of the join token: "<id>" from "K10…::<id>.<secret>" or
// "<id>.<secret>".
func tokenID(cfg *aksedge.Config) (string, error) {
	if cfg.Join == nil || cfg.Join.ClusterJoinToken == "" {
		return "", errors.New("the config has no Join.ClusterJoinToken")
	}
	tok := cfg.Join.ClusterJoinToken.Reveal()
	if _, after, ok := strings.Cut(tok, "::"); ok {
		tok = after
	}
	id, _, ok := strings.Cut(tok, ".")
	if !ok || len(id) != 6 {
		return "", errors.New("the Join.ClusterJoinToken is not a bootstrap token (<id>.<secret>)")
	}
	return id, nil
}
