package hostops

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
	"github.com/kubectl-aksee/kubectl-aksee/internal/cluster"
)

func loadConfig(t *testing.T) *aksedge.Config {
	t.Helper()
	cfg, err := aksedge.Load(filepath.Join("testdata", "scale-config.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestDryRunMatchesGolden(t *testing.T) {
	var out bytes.Buffer
	err := DryRun(&out, Options{HostName: "aksee-worker02", Config: loadConfig(t), Flavour: cluster.K3s,
		MSIName: "AksEdge-K3s-1.11.247.0.msi"})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "dry-run.txt")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), out.String()); diff != "" {
		t.Errorf("dry run (-want +got):\n%s", diff)
	}
	if strings.Contains(out.String(), "0123456789abcdef") {
		t.Error("the dry run shows the token secret")
	}
}

func TestParseFacts(t *testing.T) {
	out := "Is64BitProcess=True\r\nElevated=True\r\nComputerName=AKSEE-WORKER02\r\n" +
		"Product=AKS Edge Essentials - K3s\r\nModule=True\r\nDeployed=False\r\nHostFeatures=True\r\n" +
		"DeployTask=Running\r\nAdapter=Up,Ethernet 2\r\nAdapter=Disconnected,Wi-Fi\r\n" +
		"FreeDiskGB=120\r\nFreeMemoryMB=9000\r\nLogicalProcessors=6\r\n"
	got, err := parseFacts(out)
	if err != nil {
		t.Fatal(err)
	}
	want := &facts{is64: true, elevated: true, module: true, hostFeatures: true,
		computerName: "AKSEE-WORKER02", product: "AKS Edge Essentials - K3s", deployTask: "Running",
		adaptersUp: []string{"Ethernet 2"}, adaptersDown: []string{"Wi-Fi (Disconnected)"},
		freeDiskGB: 120, freeMemoryMB: 9000, processors: 6}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(facts{})); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
	if _, err := parseFacts("Is64BitProcess=True\n"); err == nil {
		t.Error("parseFacts accepted output without ComputerName")
	}
}

func TestPreflightChecks(t *testing.T) {
	base := facts{is64: true, elevated: true, module: true, hostFeatures: true, computerName: "W",
		product: "AKS Edge Essentials - K3s", adaptersUp: []string{"Ethernet"}, freeDiskGB: 100,
		freeMemoryMB: 16384, processors: 8}
	tests := []struct {
		name    string
		change  func(f *facts, o *Options)
		wantErr string // "" for success
		adapter string
	}{
		{name: "the only adapter that is up is chosen", change: func(*facts, *Options) {}, adapter: "Ethernet"},
		{name: "two adapters without --adapter are refused with the list",
			change:  func(f *facts, _ *Options) { f.adaptersUp = []string{"Ethernet", "Ethernet 2"} },
			wantErr: `2 connected physical adapters ("Ethernet", "Ethernet 2"); choose one with --adapter`},
		{name: "--adapter picks one of two",
			change: func(f *facts, o *Options) {
				f.adaptersUp = []string{"Ethernet", "Ethernet 2"}
				o.Adapter = "ethernet 2"
			}, adapter: "ethernet 2"},
		{name: "an --adapter that is not up is refused",
			change: func(_ *facts, o *Options) { o.Adapter = "Wi-Fi" }, wantErr: `--adapter "Wi-Fi" is not a connected`},
		{name: "a K8s module on a K3s cluster is refused",
			change:  func(f *facts, _ *Options) { f.product = "AKS Edge Essentials - K8s" },
			wantErr: "has the K8s MSI installed"},
		{name: "a K8s MSI on a K3s cluster is refused",
			change:  func(_ *facts, o *Options) { o.MSIName = "AksEdge-K8s-1.11.247.0.msi" },
			wantErr: "the MSI AksEdge-K8s-1.11.247.0.msi is K8s but the cluster is K3s"},
		{name: "a missing module without --msi is refused",
			change: func(f *facts, _ *Options) { f.module = false }, wantErr: "pass --msi FILE or --msi-url URL"},
		{name: "too little memory is refused",
			change: func(f *facts, _ *Options) { f.freeMemoryMB = 6000 }, wantErr: "free memory 6000 MB < 8192 MB"},
		{name: "too few processors are refused",
			change: func(f *facts, _ *Options) { f.processors = 2 }, wantErr: "logical processors 2 < 4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := base
			o := Options{HostName: "w", Config: loadConfig(t), Flavour: cluster.K3s, ErrOut: &bytes.Buffer{}}
			tc.change(&f, &o)
			p := newProcedure(o)
			p.facts = &f
			err := p.checkModule()
			if err == nil {
				err = p.chooseAdapter()
			}
			if err == nil {
				err = p.checkCapacity()
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected refusal: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			case tc.wantErr != "" && !errors.Is(err, ErrRefused):
				t.Fatalf("error %v is not a refusal", err)
			}
			if tc.adapter != "" && p.adapter != tc.adapter {
				t.Errorf("adapter %q, want %q", p.adapter, tc.adapter)
			}
		})
	}
}

func TestParseTail(t *testing.T) {
	out := "line 1\r\nline 2\r\n##aksee:task=Ready\r\n##aksee:result=OK\r\n"
	got := parseTail(out)
	want := tail{lines: []string{"line 1", "line 2"}, task: "Ready", hasTask: true, result: "OK", final: true}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(tail{})); diff != "" {
		t.Errorf("tail (-want +got):\n%s", diff)
	}
}

func TestTokenID(t *testing.T) {
	tests := []struct{ token, want string }{
		{"K10abc::abcdef.0123456789abcdef", "abcdef"},
		{"xyz123.0123456789abcdef", "xyz123"},
		{"nonsense", ""},
	}
	for _, tc := range tests {
		cfg := &aksedge.Config{Join: &aksedge.Join{ClusterJoinToken: aksedge.Secret(tc.token)}}
		got, err := tokenID(cfg)
		if (err != nil) != (tc.want == "") || got != tc.want {
			t.Errorf("tokenID(%q) = %q, %v; want %q", tc.token, got, err, tc.want)
		}
	}
}

func TestHostConfigSetsTheAdapter(t *testing.T) {
	p := newProcedure(Options{Config: loadConfig(t)})
	p.adapter = "Ethernet 2"
	data, err := p.hostConfig(false)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := aksedge.Parse("pushed", data)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Machines[0].NetworkConnection.AdapterName; got != "Ethernet 2" {
		t.Errorf("AdapterName = %q, want %q", got, "Ethernet 2")
	}
	if bytes.Contains(data, []byte("0123456789abcdef")) {
		t.Error("hostConfig(false) revealed the token")
	}
}

func TestLinePrefixer(t *testing.T) {
	var out bytes.Buffer
	w := &linePrefixer{w: &out, prefix: "host: | "}
	_, _ = w.Write([]byte("a\r\nb"))
	_, _ = w.Write([]byte("c\n"))
	if got, want := out.String(), "host: | a\nhost: | bc\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
