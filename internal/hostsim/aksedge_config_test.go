package hostsim

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const networkConfig = `{
  "DeploymentType": "ScalableCluster",
  "Network": {"ControlPlaneEndpointIp": "10.10.75.50", "NetworkPlugin": "flannel",
    "Ip4GatewayAddress": "10.10.75.1", "Ip4PrefixLength": 24, "DnsServers": ["8.8.8.8"]},
  "Machines": [{"NetworkConnection": {"AdapterName": "Ethernet"},
    "LinuxNode": {"Ip4Address": "10.10.75.62"}, "WindowsNode": {"Ip4Address": "10.10.75.72"}}]
}`

func TestCheckNetwork(t *testing.T) {
	tests := []struct {
		name    string
		replace [2]string
		taken   map[string]string
		want    []string
	}{
		{name: "the article's second worker passes"},
		{name: "a node IP in use by a node is not free", taken: map[string]string{"10.10.75.62": "w1-ledge"},
			want: []string{"IP address '10.10.75.62' is not free (in use by w1-ledge)"}},
		{name: "keys are read case-insensitively",
			replace: [2]string{`"Ip4Address": "10.10.75.62"`, `"IP4ADDRESS": "10.10.76.62"`},
			want:    []string{"LinuxNode.Ip4Address '10.10.76.62' is not in the subnet 10.10.75.0/24 of the gateway"}},
		{name: "the VIP may not be a node IP", replace: [2]string{"10.10.75.72", "10.10.75.50"},
			want: []string{"WindowsNode.Ip4Address '10.10.75.50' is the same address as ControlPlaneEndpointIp"}},
		{name: "a K3s pod address is refused",
			replace: [2]string{`"Ip4GatewayAddress": "10.10.75.1"`, `"Ip4GatewayAddress": "10.42.0.1"`},
			want: []string{
				"ControlPlaneEndpointIp '10.10.75.50' is not in the subnet 10.42.0.0/24 of the gateway",
				"LinuxNode.Ip4Address '10.10.75.62' is not in the subnet 10.42.0.0/24 of the gateway",
				"WindowsNode.Ip4Address '10.10.75.72' is not in the subnet 10.42.0.0/24 of the gateway",
			}},
		{name: "the calico plugin on a K3s host", replace: [2]string{"flannel", "calico"},
			want: []string{"NetworkPlugin 'calico' does not match the installed K3s module; use 'flannel'"}},
		{name: "an adapter the host lacks", replace: [2]string{`"AdapterName": "Ethernet"`, `"AdapterName": "Wi-Fi"`},
			want: []string{"The network adapter 'Wi-Fi' was not found or is not connected"}},
		{name: "no DNS servers", replace: [2]string{`["8.8.8.8"]`, `[]`}, want: []string{"DnsServers must not be empty"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := networkConfig
			if tc.replace[0] != "" {
				doc = strings.Replace(doc, tc.replace[0], tc.replace[1], 1)
			}
			cfg, err := parseDeployConfig([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			m := NewMachine(MachineOptions{Flavour: "k3s"})
			got := m.checkNetwork(cfg, tc.taken).errors
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}
