package plugin

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-aksee/kubectl-aksee/internal/aksedge"
)

// configRun is what one run of a config command printed and how it exited.
type configRun struct {
	stdout, stderr string
	code           int
}

// runWithStdin runs the plugin in-process as main does, with stdin and arguments.
func runWithStdin(t *testing.T, stdin string, args ...string) configRun {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := NewCmdAksee(genericiooptions.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut})
	cmd.SetArgs(args)
	executed, err := cmd.ExecuteC()
	PrintError(&errOut, executed, err)
	return configRun{stdout: out.String(), stderr: errOut.String(), code: ExitCode(err)}
}

// labFlags are the seed article's lab: the primary machine of a K3s cluster.
var labFlags = []string{
	"config", "new", "--control-plane-ip", "10.10.75.50", "--gateway", "10.10.75.1",
	"--prefix-length", "24", "--dns", "8.8.8.8", "--service-ip-start", "10.10.75.101",
	"--service-ip-size", "50", "--linux-ip", "10.10.75.51", "--linux-memory-mb", "8192",
	"--adapter", "Ethernet", "--network-plugin", "flannel", "--accept-eula",
}

// withLab returns the lab's flags followed by more.
func withLab(more ...string) []string {
	return append(append([]string(nil), labFlags...), more...)
}

func TestConfigNewGolden(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"the lab's primary", labFlags, "config-new/lab.json"},
		{"the lab's primary as YAML", withLab("-o", "yaml"), "config-new/lab.yaml"},
		{"a Windows flag adds a Windows node", withLab("--windows-ip", "10.10.75.52",
			"--windows-memory-mb", "8192"), "config-new/lab-linux-and-windows.json"},
		{"schema 1.14 has no KMS plugin", withLab("--schema-version", "1.14",
			"--network-plugin", "calico"), "config-new/lab-k8s-1.14.json"},
		{"DNS servers may be separated by commas; a repeat is a warning",
			withLab("--dns", "8.8.8.8,1.1.1.1", "--dns", "9.9.9.9"),
			"config-new/lab-dns-servers.json"},
		{"a single machine needs no network flags", []string{"config", "new", "--deployment-type",
			"SingleMachineCluster", "--accept-eula"}, "config-new/single-machine.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runWithStdin(t, "", tc.args...)
			if r.code != ExitOK {
				t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
			}
			checkGolden(t, tc.golden, r.stdout)
			checkGolden(t, strings.TrimSuffix(tc.golden, filepath.Ext(tc.golden))+".stderr", r.stderr)
		})
	}
}

func TestConfigNewOutputPassesValidate(t *testing.T) {
	r := runWithStdin(t, "", labFlags...)
	if r.code != ExitOK {
		t.Fatalf("config new: exit %d\n%s", r.code, r.stderr)
	}
	v := runWithStdin(t, r.stdout, "config", "validate", "-")
	// The lab gives no Azure Arc details, which is worth a warning but not an error.
	wantOut := "stdin: Arc: warning: no Azure Arc details; AKS EE 1.11.230.0 and later refuse an " +
		"online deployment without them unless it runs under a volume licence; fill Arc or set " +
		"Network.InternetDisabled for an offline install\n"
	if v.code != ExitOK || v.stdout != wantOut {
		t.Errorf("config validate of config new's output: exit %d\nstdout:\n%s\nstderr:\n%s",
			v.code, v.stdout, v.stderr)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"SchemaVersion", "Version", "DeploymentType", "Init", "Join", "Arc",
		"Network", "User", "Machines"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("config new output lacks %s", k)
		}
	}
}

func TestConfigNewRefusesAnInvalidFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "aksedge-config.json")
	args := withLab("--linux-ip", "10.10.75.50", "--out", out)
	r := runWithStdin(t, "", args...)
	wantErr := out + ": Machines[0].LinuxNode.Ip4Address: 10.10.75.50 is the control-plane endpoint; " +
		"pick a free address in 10.10.75.0/24\n"
	if r.code != ExitFailed || r.stdout != "" || !strings.HasPrefix(r.stderr, wantErr) ||
		!strings.HasSuffix(r.stderr, "not written: 1 error; fix the flags or pass --force\n") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant it to start with:\n%s", r.code, r.stdout, r.stderr, wantErr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the invalid file was written: %v", err)
	}

	r = runWithStdin(t, "", append(args, "--force")...)
	if r.code != ExitFailed {
		t.Errorf("--force: exit %d, want %d (written, but still invalid)", r.code, ExitFailed)
	}
	if _, err := aksedge.Load(out, nil); err != nil {
		t.Errorf("--force did not write a loadable file: %v", err)
	}
}

func TestConfigNewWritesAPrivateFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "aksedge-config.json")
	r := runWithStdin(t, "", withLab("--out", out)...)
	if r.code != ExitOK || r.stdout != "" || !strings.HasSuffix(r.stderr, "wrote "+out+"\n") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	want := runWithStdin(t, "", labFlags...).stdout
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("file differs from stdout output (-want +got):\n%s", diff)
	}
	if fi, _ := os.Stat(out); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestConfigNewUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a malformed address", []string{"--linux-ip", "10.10.75.300"},
			"--linux-ip 10.10.75.300 is not an IPv4 address"},
		{"an IPv6 DNS server", []string{"--dns", "8.8.8.8", "--dns", "2001:4860:4860::8888"},
			"--dns 2001:4860:4860::8888 is not an IPv4 address"},
		{"an unknown node type", []string{"--node-type", "Mac"},
			`--node-type "Mac" is not one of Linux, Windows, LinuxAndWindows`},
		{"an unknown deployment type", []string{"--deployment-type", "CapiCluster"},
			`--deployment-type "CapiCluster" is not one of ScalableCluster, SingleMachineCluster`},
		{"a Windows flag for a Linux machine", []string{"--node-type", "linux", "--windows-ip", "10.10.75.52"},
			"--windows-ip needs a Windows node, but --node-type is Linux"},
		{"YAML into the file AKS EE reads", []string{"--out", "x.json", "-o", "yaml"},
			"--out writes the JSON file AKS EE reads; drop -o yaml"},
		{"a malformed schema version", []string{"--schema-version", "latest"},
			`schema version "latest" is not of the form 1.16`},
		{"an unknown flag", []string{"--linux-ram", "8"}, "unknown flag: --linux-ram"},
		{"an argument", []string{"extra"}, `kubectl aksee config new takes no arguments, got ["extra"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runWithStdin(t, "", append([]string{"config", "new"}, tc.args...)...)
			want := "error: " + tc.want + "\nSee 'kubectl aksee config new --help' for usage.\n"
			if r.code != ExitUsage || r.stderr != want || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", r.code, r.stdout, r.stderr, want)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	onVIP, err := os.ReadFile("testdata/config/node-ip-is-the-vip.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		golden   string
	}{
		{"a clean file passes", "", []string{"testdata/config/aksedge-config.json"}, ExitOK,
			"config-validate/clean"},
		{"a node on the VIP fails", "", []string{"testdata/config/node-ip-is-the-vip.json"}, ExitFailed,
			"config-validate/node-ip-is-the-vip"},
		{"malformed JSON names line and column", "", []string{"testdata/config/malformed.json"},
			ExitFailed, "config-validate/malformed"},
		{"a missing file is a finding", "", []string{"testdata/config/none.json"}, ExitFailed,
			"config-validate/missing-file"},
		{"warnings alone pass", "", []string{"testdata/config/aksedge-config.json",
			"testdata/config/worker1.json"}, ExitOK, "config-validate/warnings"},
		{"warnings fail with --strict", "", []string{"--strict", "testdata/config/aksedge-config.json",
			"testdata/config/worker1.json"}, ExitFailed, "config-validate/warnings-strict"},
		{"two files with one node IP fail", "", []string{"testdata/config/aksedge-config.json",
			"testdata/config/worker1.json", "testdata/config/worker2-same-windows-ip.json"}, ExitFailed,
			"config-validate/duplicate-node-ip"},
		{"stdin is read for -", string(onVIP), []string{"-"}, ExitFailed, "config-validate/stdin"},
		{"-o json lists the findings", "", []string{"-o", "json", "testdata/config/malformed.json",
			"testdata/config/node-ip-is-the-vip.json"}, ExitFailed, "config-validate/json"},
		{"-o json of a clean file has an empty list", "", []string{"-o", "json",
			"testdata/config/aksedge-config.json"}, ExitOK, "config-validate/json-clean"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runWithStdin(t, tc.stdin, append([]string{"config", "validate"}, tc.args...)...)
			if r.code != tc.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			checkGolden(t, tc.golden+".stdout", r.stdout)
			checkGolden(t, tc.golden+".stderr", r.stderr)
		})
	}
}

func TestConfigValidateUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no file", nil, "give at least one file to validate, or - for stdin"},
		{"stdin twice", []string{"-", "-"}, "- (stdin) can be given only once"},
		{"an unknown output", []string{"-o", "table", "a.json"},
			`--output "table" is not supported; use one of ["json" "yaml"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runWithStdin(t, "", append([]string{"config", "validate"}, tc.args...)...)
			want := "error: " + tc.want + "\nSee 'kubectl aksee config validate --help' for usage.\n"
			if r.code != ExitUsage || r.stderr != want {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", r.code, r.stderr, want)
			}
		})
	}
}
