package hostops

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// NodeStatus is a node the join expects, as the API server shows it.
type NodeStatus struct {
	Name, OS, WantIP, IP string
	Ready, Present       bool
}

func (n NodeStatus) ok() bool { return n.Present && n.Ready && n.IP == n.WantIP }

func (n NodeStatus) String() string {
	switch {
	case !n.Present:
		return n.Name + ": not registered"
	case n.IP != n.WantIP:
		return fmt.Sprintf("%s: InternalIP %s, want %s", n.Name, orNone(n.IP), n.WantIP)
	case !n.Ready:
		return n.Name + ": not Ready"
	}
	return fmt.Sprintf("%s: Ready, %s, %s", n.Name, n.IP, n.OS)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// expected lists the nodes the config creates, with their addresses.
func (p *procedure) expected() []NodeStatus {
	var out []NodeStatus
	for _, m := range p.o.Config.Machines {
		if m.LinuxNode != nil {
			out = append(out, NodeStatus{Name: p.linux, OS: "linux", WantIP: m.LinuxNode.Ip4Address})
		}
		if m.WindowsNode != nil {
			out = append(out, NodeStatus{Name: p.windows, OS: "windows", WantIP: m.WindowsNode.Ip4Address})
		}
	}
	return out
}

func (p *procedure) planNodes() []string {
	var names []string
	for _, m := range p.o.Config.Machines {
		if m.LinuxNode != nil {
			names = append(names, "<hostname>-ledge at "+m.LinuxNode.Ip4Address)
		}
		if m.WindowsNode != nil {
			names = append(names, "<hostname>-wedge at "+m.WindowsNode.Ip4Address)
		}
	}
	return []string{"watch the API server until " + strings.Join(names, " and ") +
		" are Ready with those InternalIPs"}
}

// observe fills a NodeStatus from a node object.
func observe(want NodeStatus, node *corev1.Node) NodeStatus {
	want.Present = true
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			want.IP = a.Address
		}
	}
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			want.Ready = c.Status == corev1.ConditionTrue
		}
	}
	if os := node.Labels[corev1.LabelOSStable]; os != "" {
		want.OS = os
	}
	return want
}

// waitNodes watches the nodes until every expected one is Ready with its address.
func (p *procedure) waitNodes(ctx context.Context) error {
	want := p.expected()
	seen := map[string]*corev1.Node{}
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
			return p.o.Client.CoreV1().Nodes().List(ctx, opts)
		},
		WatchFuncWithContext: func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
			return p.o.Client.CoreV1().Nodes().Watch(ctx, opts)
		},
	}
	allReady := func(ev watch.Event) (bool, error) {
		if node, ok := ev.Object.(*corev1.Node); ok {
			if ev.Type == watch.Deleted {
				delete(seen, node.Name)
			} else {
				seen[node.Name] = node
			}
		}
		for _, w := range want {
			if n, ok := seen[w.Name]; !ok || !observe(w, n).ok() {
				return false, nil
			}
		}
		return true, nil
	}
	_, err := watchtools.UntilWithSync(ctx, lw, &corev1.Node{}, nil, allReady)
	p.result.Nodes = p.statuses(want, seen)
	if err != nil {
		return fmt.Errorf("the nodes did not become Ready (%s): %w", p.describe(), err)
	}
	for _, n := range p.result.Nodes {
		p.progress("node %s", n)
	}
	return nil
}

func (p *procedure) statuses(want []NodeStatus, seen map[string]*corev1.Node) []NodeStatus {
	out := make([]NodeStatus, len(want))
	for i, w := range want {
		out[i] = w
		if n, ok := seen[w.Name]; ok {
			out[i] = observe(w, n)
		}
	}
	return out
}

func (p *procedure) describe() string {
	parts := make([]string, len(p.result.Nodes))
	for i, n := range p.result.Nodes {
		parts[i] = n.String()
	}
	return strings.Join(parts, "; ")
}

// currentNodes reads the expected nodes once, for a host that had already joined.
func (p *procedure) currentNodes(ctx context.Context) []NodeStatus {
	var out []NodeStatus
	for _, w := range p.expected() {
		node, err := p.o.Client.CoreV1().Nodes().Get(ctx, w.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			out = append(out, w)
		case err == nil:
			out = append(out, observe(w, node))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
