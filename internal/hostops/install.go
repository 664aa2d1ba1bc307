package hostops

import (
	"context"
	"fmt"
	"regexp"
)

// skipInstall tells whether the host already has the module and the host features.
func (p *procedure) skipInstall() bool {
	return p.resume || p.msiName() == "" && p.facts != nil && p.facts.hostFeatures
}

func (p *procedure) planInstall() []string {
	var plan []string
	switch {
	case p.o.MSIName != "":
		plan = append(plan, fmt.Sprintf("copy %s to %s and run msiexec.exe /i … /qn%s", p.o.MSIName,
			p.remoteMSI(), p.addLocalPlan()))
	case p.o.MSIURL != "":
		plan = append(plan, fmt.Sprintf("download %s on the host to %s and run msiexec.exe /i … /qn%s",
			p.o.MSIURL, p.remoteMSI(), p.addLocalPlan()))
	}
	return append(plan, "unless Hyper-V is enabled: Install-AksEdgeHostFeatures -Confirm:$false, "+
		"then wait for the host to come back if it restarts")
}

func (p *procedure) addLocalPlan() string {
	if p.addLocal() == "" {
		return ""
	}
	return " ADDLOCAL=" + p.addLocal()
}

func (p *procedure) addLocal() string {
	if p.wantsWindows() {
		return addLocalWindows
	}
	return ""
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// remoteMSI is where the MSI goes on the host; its name keeps the flavour and version.
func (p *procedure) remoteMSI() string {
	name := unsafeFileChars.ReplaceAllString(p.msiName(), "_")
	if name == "" || name == "." {
		name = "AksEdge.msi"
	}
	return RemoteDir + `\` + name
}

func (p *procedure) install(ctx context.Context) error {
	if p.msiName() != "" {
		if err := p.installMSI(ctx); err != nil {
			return err
		}
	}
	d := defaultScriptData()
	if err := p.stream(ctx, "host-features.ps1", d); err != nil {
		return err
	}
	// The host may restart now; the next script waits for it. Checking the module again
	// also proves the host is back.
	return p.recheckModule(ctx)
}

func (p *procedure) installMSI(ctx context.Context) error {
	d := defaultScriptData()
	if err := p.stream(ctx, "prepare-dir.ps1", d); err != nil {
		return err
	}
	d.MSI, d.MSIURL, d.AddLocal = p.remoteMSI(), p.o.MSIURL, p.addLocal()
	if p.o.MSI != nil {
		p.progress("copying %s to %s", p.o.MSIName, d.MSI)
		if err := p.copyFile(ctx, p.o.MSI, d.MSI); err != nil {
			return err
		}
	}
	return p.stream(ctx, "install-msi.ps1", d)
}

func (p *procedure) recheckModule(ctx context.Context) error {
	out, err := p.capture(ctx, "preflight.ps1", defaultScriptData())
	if err != nil {
		return err
	}
	f, err := parseFacts(out)
	if err != nil {
		return err
	}
	p.facts.module, p.facts.product, p.facts.hostFeatures = f.module, f.product, f.hostFeatures
	if !f.module {
		return fmt.Errorf("the AksEdge module is still missing on %s after the install", p.o.HostName)
	}
	return p.checkModule()
}
