package aksedge

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

// normalized returns data re-indented by the reader and writer for untyped JSON, so a
// round-trip result can be compared with a file written in any layout.
func normalized(t *testing.T, data []byte) string {
	t.Helper()
	tree, err := parseTree(data)
	if err != nil {
		t.Fatalf("parse %q: %v", data, err)
	}
	return string(encodeNode(tree)) + "\n"
}

func TestRoundTripKeepsEveryKeyValueAndOrder(t *testing.T) {
	files, err := filepath.Glob("testdata/roundtrip/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no round-trip files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(file, data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, err := Marshal(c, true)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if diff := cmp.Diff(normalized(t, data), string(got)); diff != "" {
				t.Errorf("round trip changed the file (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoundTripOfAnIndentedFileIsByteExact(t *testing.T) {
	data, err := os.ReadFile("testdata/roundtrip/join-k8s-1.15.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("join.json", data)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := Marshal(c, true)
	if diff := cmp.Diff(string(data), string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseReadsTypedValues(t *testing.T) {
	data, err := os.ReadFile("testdata/roundtrip/scalable-1.14-future-keys.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("a.json", data)
	if err != nil {
		t.Fatal(err)
	}
	got := []any{
		c.SchemaVersion, *c.Init.ServiceIPRangeSize, c.Network.DnsServers, *c.Network.Ip4PrefixLength,
		c.Machines[0].NetworkConnection.AdapterName, *c.Machines[0].LinuxNode.MemoryInMB,
		*c.Machines[0].LinuxNode.SecondaryNetworks[0].Ip4PrefixLength, c.Network.Extra.Unknown(),
		c.Extra.Unknown(),
	}
	want := []any{
		"1.14", 50, []string{"8.8.8.8", "1.1.1.1"}, 24, "Ethernet", 8192, 24,
		[]string{"Telemetry"}, []string{"FutureSection"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestKeysAreCaseInsensitiveAndWrittenInAKSEECasing(t *testing.T) {
	in := `{"schemaversion": "1.16", "JOIN": {"ClusterID": "lab", "clusterjointoken": "K10x::a.b"},
		"Init": {"ServiceIpRangeSize": 10}}`
	c, err := Parse("a.json", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if c.Join.ClusterId != "lab" || c.Join.ClusterJoinToken.Reveal() != "K10x::a.b" ||
		*c.Init.ServiceIPRangeSize != 10 {
		t.Fatalf("keys not matched case-insensitively: %+v %+v", c.Join, c.Init)
	}
	got, _ := Marshal(c, true)
	want := `{
    "SchemaVersion": "1.16",
    "Join": {
        "ClusterId": "lab",
        "ClusterJoinToken": "K10x::a.b"
    },
    "Init": {
        "ServiceIPRangeSize": 10
    }
}
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{
			name: "a missing comma is reported with line and column",
			in:   "{\n  \"Version\": \"1.0\"\n  \"DeploymentType\": \"ScalableCluster\"\n}",
			want: []string{`f.json:3:3: unexpected '"'; want ',' or '}'`},
		},
		{
			name: "a trailing comma is a syntax error",
			in:   `{"DnsServers": ["8.8.8.8",]}`,
			want: []string{`f.json:1:27: unexpected ']'; want a value`},
		},
		{
			name: "truncated input names the end",
			in:   `{"Network": {`,
			want: []string{`f.json:1:14: unexpected end of input; want a key in double quotes`},
		},
		{
			name: "a string for a number names the key path",
			in:   `{"Machines": [{"LinuxNode": {"CpuCount": "four"}}]}`,
			want: []string{`f.json:1:42: Machines[0].LinuxNode.CpuCount: want a number, got "four"`},
		},
		{
			name: "every type error is reported",
			in: `{"Network": {"Ip4PrefixLength": 24.5, "DnsServers": "8.8.8.8", "InternetDisabled": "no"},
"Init": []}`,
			want: []string{
				`f.json:1:33: Network.Ip4PrefixLength: want a whole number, got 24.5`,
				`f.json:1:53: Network.DnsServers: want an array, got "8.8.8.8"`,
				`f.json:1:84: Network.InternetDisabled: want true or false, got "no"`,
				`f.json:2:9: Init: want an object, got an array`,
			},
		},
		{
			name: "a mistyped secret is not echoed",
			in:   `{"Join": {"ClusterJoinToken": 1234567890}}`,
			want: []string{`f.json:1:31: Join.ClusterJoinToken: want a string`},
		},
		{
			name: "one key in two casings is one key given twice",
			in:   `{"Join": {"ClusterId": "a", "ClusterID": "b"}}`,
			want: []string{
				`f.json:1:42: Join.ClusterId: key given twice (first as "ClusterId" at 1:11); ` +
					`keys are case-insensitive, keep one`,
			},
		},
		{
			name: "the top level must be an object",
			in:   `["a"]`,
			want: []string{`f.json:1:1: want a JSON object at the top level, got an array`},
		},
		{
			name: "a huge number is out of range",
			in:   `{"Init": {"ServiceIPRangeSize": 99999999999}}`,
			want: []string{`f.json:1:33: Init.ServiceIPRangeSize: 99999999999 is out of range`},
		},
		{
			name: "columns count characters, not bytes",
			in:   `{"Arc": {"ClusterName": "é", "Location": x}}`,
			want: []string{`f.json:1:42: unexpected 'x'; want a value`},
		},
		{
			name: "deep nesting is refused",
			in:   `{"a": ` + strings.Repeat("[", 300),
			want: []string{"f.json:1:206: nesting deeper than 200 levels"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("f.json", []byte(tc.in))
			if c != nil || err == nil {
				t.Fatalf("Parse = %v, %v; want an error", c, err)
			}
			var got []string
			for _, pe := range ParseErrors(err) {
				got = append(got, pe.Error())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAcceptsPowerShellEncodings(t *testing.T) {
	const doc = `{"SchemaVersion": "1.16", "Arc": {"ClusterName": "größe"}}`
	utf16le := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(doc)) {
		utf16le = append(utf16le, byte(u), byte(u>>8))
	}
	utf16be := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(doc)) {
		utf16be = append(utf16be, byte(u>>8), byte(u))
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"plain UTF-8", []byte(doc)},
		{"UTF-8 with a byte-order mark", append([]byte{0xEF, 0xBB, 0xBF}, doc...)},
		{"UTF-16 little-endian", utf16le},
		{"UTF-16 big-endian", utf16be},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("f.json", tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Arc.ClusterName; got != "größe" {
				t.Errorf("ClusterName = %q, want %q", got, "größe")
			}
		})
	}
}

func TestMarshalWritesNewKeysInAKSEEOrder(t *testing.T) {
	c := &Config{
		Machines: []Machine{{LinuxNode: &LinuxNode{Ip4Address: "10.10.75.61", CpuCount: Ptr(4)}}},
		Network:  &Network{DnsServers: []string{}, NetworkPlugin: "flannel"},
		Join:     &Join{ClusterId: "lab", ClusterJoinToken: "K10abc::id.secret"},
		Version:  "1.0",
	}
	want := `{
    "Version": "1.0",
    "Join": {
        "ClusterJoinToken": "<redacted>",
        "ClusterId": "lab"
    },
    "Network": {
        "NetworkPlugin": "flannel",
        "DnsServers": []
    },
    "Machines": [
        {
            "LinuxNode": {
                "CpuCount": 4,
                "Ip4Address": "10.10.75.61"
            }
        }
    ]
}
`
	got, err := Marshal(c, false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMarshalAfterEditsKeepsTheFileOrder(t *testing.T) {
	in := `{"Network": {"DnsServers": ["1.1.1.1"], "Future": 1, "Ip4PrefixLength": 24, ` +
		`"ControlPlaneEndpointIp": null, "Proxy": {"Http": null}}}`
	c, err := Parse("a.json", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	c.Network.ControlPlaneEndpointIp = "10.10.75.50" // was null: set in place
	c.Network.Ip4PrefixLength = nil                  // removed
	c.Network.Ip4GatewayAddress = "10.10.75.1"       // new: after ControlPlaneEndpointIp
	c.Network.NetworkPlugin = "flannel"              // new: after ControlPlaneEndpointIp too
	c.Network.Proxy = nil                            // removed section
	got, _ := Marshal(c, false)
	want := `{
    "Network": {
        "DnsServers": [
            "1.1.1.1"
        ],
        "Future": 1,
        "ControlPlaneEndpointIp": "10.10.75.50",
        "NetworkPlugin": "flannel",
        "Ip4GatewayAddress": "10.10.75.1"
    }
}
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSecretsAreRedactedUnlessAsked(t *testing.T) {
	const token = "K10aaaa::abcdef.0123456789abcdef"
	c := &Config{
		Join: &Join{ClusterJoinToken: token, CertificateKey: "cafe"},
		Arc:  &Arc{ClientSecret: "s3cr3t"},
	}
	printed := []string{
		fmt.Sprint(c.Join.ClusterJoinToken), fmt.Sprintf("%v %s %q %x %#v %+v", c.Join.ClusterJoinToken,
			c.Join.ClusterJoinToken, c.Join.ClusterJoinToken, c.Join.ClusterJoinToken, c.Join, c.Arc),
		c.Join.CertificateKey.String(),
	}
	js, _ := json.Marshal(c)
	redactedOut, _ := Marshal(c, false)
	printed = append(printed, string(js), string(redactedOut))
	for _, p := range printed {
		for _, secret := range []string{token, "abcdef.0123456789abcdef", "cafe", "s3cr3t"} {
			if strings.Contains(p, secret) {
				t.Errorf("printed form %q holds a secret", p)
			}
		}
	}
	if !strings.Contains(string(redactedOut), `"ClusterJoinToken": "<redacted>"`) {
		t.Errorf("Marshal(false) = %s, want the token redacted", redactedOut)
	}
	revealed, _ := Marshal(c, true)
	for _, secret := range []string{token, "cafe", "s3cr3t"} {
		if !strings.Contains(string(revealed), secret) {
			t.Errorf("Marshal(true) lacks %q:\n%s", secret, revealed)
		}
	}
	if got := Secret("").String(); got != "" {
		t.Errorf("empty Secret prints %q, want \"\"", got)
	}
}

func TestWriteFileIsPrivateAndAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "scale.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := &Config{SchemaVersion: "1.16", Join: &Join{ClusterJoinToken: "K10ab::cd.ef"}}
	if err := WriteFile(path, c); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Marshal(c, true)
	if diff := cmp.Diff(string(want), string(data)); diff != "" {
		t.Errorf("content (-want +got):\n%s", diff)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the file (no temp file left)", len(entries))
	}
}

func TestWriteFileLeavesTheOldFileOnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "scale.json")
	err := WriteFile(path, &Config{})
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("WriteFile into a missing directory = %v, want ErrNotExist", err)
	}
}

func TestCloneIsDeep(t *testing.T) {
	data, err := os.ReadFile("testdata/roundtrip/scalable-1.14-future-keys.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("a.json", data)
	if err != nil {
		t.Fatal(err)
	}
	clone := c.Clone()
	if diff := cmp.Diff(c, clone); diff != "" {
		t.Fatalf("clone differs (-orig +clone):\n%s", diff)
	}
	clone.Network.DnsServers[0] = "9.9.9.9"
	*clone.Machines[0].LinuxNode.CpuCount = 8
	clone.Machines[0].LinuxNode.SecondaryNetworks[0].VMSwitchName = "other"
	if c.Network.DnsServers[0] != "8.8.8.8" || *c.Machines[0].LinuxNode.CpuCount != 4 ||
		c.Machines[0].LinuxNode.SecondaryNetworks[0].VMSwitchName != "OT" {
		t.Errorf("changing the clone changed the original")
	}
	before, _ := Marshal(c, true)
	if diff := cmp.Diff(normalized(t, data), string(before)); diff != "" {
		t.Errorf("original no longer round-trips (-want +got):\n%s", diff)
	}
}

func TestLoadReadsStdinForDash(t *testing.T) {
	c, err := Load("-", strings.NewReader(`{"SchemaVersion": "1.15"`))
	if c != nil || err == nil || !strings.HasPrefix(err.Error(), "stdin:1:25: ") {
		t.Fatalf("Load(-) = %v, %v; want a stdin syntax error", c, err)
	}
	c, err = Load("-", strings.NewReader(`{"SchemaVersion": "1.15"}`))
	if err != nil || c.SchemaVersion != "1.15" {
		t.Fatalf("Load(-) = %+v, %v", c, err)
	}
}

func TestMarshalYAMLKeepsOrderAndRedacts(t *testing.T) {
	c := &Config{SchemaVersion: "1.16", Version: "1.0", Join: &Join{ClusterJoinToken: "K10ab::cd.ef"},
		Network: &Network{DnsServers: []string{"8.8.8.8"}, Ip4PrefixLength: Ptr(24)}}
	got, err := MarshalYAML(c, false)
	if err != nil {
		t.Fatal(err)
	}
	want := `SchemaVersion: "1.16"
Version: "1.0"
Join:
  ClusterJoinToken: <redacted>
Network:
  Ip4PrefixLength: 24
  DnsServers:
    - 8.8.8.8
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
