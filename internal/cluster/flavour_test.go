package cluster

import (
	"strings"
	"testing"
)

func TestFlavourOfVersion(t *testing.T) {
	tests := []struct {
		name    string
		version string
		want    Flavour
	}{
		{name: "k3s build is K3s", version: "v1.27.6+k3s1", want: K3s},
		{name: "plain version is K8s", version: "v1.37.2", want: K8s},
		{name: "vendor suffix without k3s is K8s", version: "v1.28.3-aks1", want: K8s},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FlavourOfVersion(tc.version); got != tc.want {
				t.Errorf("FlavourOfVersion(%q) = %q, want %q", tc.version, got, tc.want)
			}
		})
	}
}

func TestServerIP(t *testing.T) {
	tests := []struct {
		name   string
		server string
		want   string
	}{
		{name: "routable IP is the endpoint", server: "https://10.10.75.50:6443", want: "10.10.75.50"},
		{name: "loopback is not", server: "https://127.0.0.1:6443", want: ""},
		{name: "a host name is not", server: "https://cluster.example:6443", want: ""},
		{name: "IPv6 loopback is not", server: "https://[::1]:6443", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr, ok := serverIP(tc.server)
			got := ""
			if ok {
				got = addr.String()
			}
			if got != tc.want {
				t.Errorf("serverIP(%q) = %q, want %q", tc.server, got, tc.want)
			}
		})
	}
}

func TestTokenStringHidesSecret(t *testing.T) {
	tok := &Token{ID: "abcdef", secret: "0123456789abcdef"}
	if got := tok.String(); strings.Contains(got, tok.secret) {
		t.Errorf("String() = %q shows the secret", got)
	}
	if got := tok.Value(); got != "abcdef.0123456789abcdef" {
		t.Errorf("Value() = %q", got)
	}
}
