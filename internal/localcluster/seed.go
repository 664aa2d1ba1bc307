package localcluster

import (
	"bytes"
	"embed"
	"encoding/base64"
	"fmt"
	"strings"
	"text/template"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// SeedLabel marks every object the seed step applies; its value is the flavour. Resetting a
// cluster to another flavour deletes the objects labelled with the old one.
const SeedLabel = "kubectl-aksee/seed"

// Images of the seeded workloads. They are only data: kwok "runs" them without pulling.
const (
	k3sCoreDNSImage           = "rancher/mirrored-coredns-coredns:1.12.3"
	k8sCoreDNSImage           = "registry.k8s.io/coredns/coredns:v1.12.1"
	kubeVIPImage              = "ghcr.io/kube-vip/kube-vip:v0.9.2"
	kubeVIPCloudProviderImage = "ghcr.io/kube-vip/kube-vip-cloud-provider:v0.0.12"
	calicoImage               = "docker.io/calico/node:v3.30.3"
	k8sEtcdImage              = "registry.k8s.io/etcd:3.6.4-0"
)

//go:embed seed/*.yaml
var seedFS embed.FS

// seedData is what the seed templates see.
type seedData struct {
	Primary
	KubeVersion               string // the kubelet version without a "+k3s" suffix
	ServiceIPRange            string
	CAData                    string // base64 of the cluster CA bundle
	BootstrapPrefix           string
	BootstrapGroup            string
	CoreDNSImage              string
	KubeVIPImage              string
	KubeVIPCloudProviderImage string
	CalicoImage               string
	StaticPods                []staticPod
}

type staticPod struct{ Name, Image string }

// seedKinds maps every kind the seed templates use to its resource and scope, so objects
// are applied without a discovery round trip.
var seedKinds = map[schema.GroupVersionKind]seedKind{
	{Version: "v1", Kind: "Namespace"}:      {resource: "namespaces"},
	{Version: "v1", Kind: "Node"}:           {resource: "nodes"},
	{Version: "v1", Kind: "ConfigMap"}:      {resource: "configmaps", namespaced: true},
	{Version: "v1", Kind: "ServiceAccount"}: {resource: "serviceaccounts", namespaced: true},
	{Version: "v1", Kind: "Service"}:        {resource: "services", namespaced: true},
	{Version: "v1", Kind: "Pod"}:            {resource: "pods", namespaced: true},
	{Group: "apps", Version: "v1", Kind: "Deployment"}: {
		resource: "deployments", namespaced: true},
	{Group: "apps", Version: "v1", Kind: "DaemonSet"}: {
		resource: "daemonsets", namespaced: true},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding"}: {
		resource: "clusterrolebindings"},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "Role"}: {
		resource: "roles", namespaced: true},
	{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding"}: {
		resource: "rolebindings", namespaced: true},
}

type seedKind struct {
	resource   string
	namespaced bool
}

// RenderSeed returns the objects that make a cluster look like p, in apply order. caPEM is
// the cluster CA bundle, published in kube-public/cluster-info on K8s.
func RenderSeed(p Primary, caPEM []byte) ([]*unstructured.Unstructured, error) {
	data, err := newSeedData(p, caPEM)
	if err != nil {
		return nil, err
	}
	var objs []*unstructured.Unstructured
	for _, file := range []string{"seed/common.yaml", "seed/" + string(p.Flavour) + ".yaml"} {
		docs, err := renderFile(file, data)
		if err != nil {
			return nil, err
		}
		objs = append(objs, docs...)
	}
	for _, o := range objs {
		labels := o.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[SeedLabel] = string(p.Flavour)
		o.SetLabels(labels)
	}
	return objs, nil
}

func newSeedData(p Primary, caPEM []byte) (seedData, error) {
	if p.Flavour != K3s && p.Flavour != K8s {
		return seedData{}, fmt.Errorf("seed: flavour %q is not one of k3s, k8s", p.Flavour)
	}
	serviceRange, err := p.ServiceIPRange()
	if err != nil {
		return seedData{}, err
	}
	kubeVersion, _, _ := strings.Cut(p.KubeletVersion, "+")
	d := seedData{
		Primary:                   p,
		KubeVersion:               kubeVersion,
		ServiceIPRange:            serviceRange,
		CAData:                    base64.StdEncoding.EncodeToString(caPEM),
		BootstrapPrefix:           "k3s",
		BootstrapGroup:            "system:bootstrappers:k3s:default-node-token",
		CoreDNSImage:              k3sCoreDNSImage,
		KubeVIPImage:              kubeVIPImage,
		KubeVIPCloudProviderImage: kubeVIPCloudProviderImage,
		CalicoImage:               calicoImage,
	}
	if p.Flavour == K8s {
		d.BootstrapPrefix = "kubeadm"
		d.BootstrapGroup = "system:bootstrappers:kubeadm:default-node-token"
		d.CoreDNSImage = k8sCoreDNSImage
		d.StaticPods = []staticPod{
			{"etcd", k8sEtcdImage},
			{"kube-apiserver", "registry.k8s.io/kube-apiserver:" + kubeVersion},
			{"kube-controller-manager", "registry.k8s.io/kube-controller-manager:" + kubeVersion},
			{"kube-scheduler", "registry.k8s.io/kube-scheduler:" + kubeVersion},
		}
	}
	return d, nil
}

func renderFile(name string, data seedData) ([]*unstructured.Unstructured, error) {
	tmpl, err := template.New(name).Option("missingkey=error").ParseFS(seedFS, name)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, strings.TrimPrefix(name, "seed/"), data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	var objs []*unstructured.Unstructured
	for i, doc := range strings.Split(buf.String(), "\n---\n") {
		obj := map[string]any{}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			return nil, fmt.Errorf("decode %s document %d: %w", name, i+1, err)
		}
		if len(obj) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		if _, ok := seedKinds[u.GroupVersionKind()]; !ok {
			return nil, fmt.Errorf("%s document %d: kind %s is not in seedKinds", name, i+1,
				u.GroupVersionKind())
		}
		objs = append(objs, u)
	}
	return objs, nil
}
