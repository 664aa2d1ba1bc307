package localcluster

import (
	"path/filepath"
	"strconv"
)

// serviceAccountIssuer is what kubeadm and K3s both use.
const serviceAccountIssuer = "https://kubernetes.default.svc.cluster.local"

// kwokStageFiles are the stage files build-controlplane.sh copies from kwok's module: nodes
// become Ready and keep a lease, pods become Running, complete, and go away when deleted.
var kwokStageFiles = []string{
	"node-initialize.yaml", "node-heartbeat-with-lease.yaml",
	"pod-ready.yaml", "pod-complete.yaml", "pod-delete.yaml",
}

func loopbackURL(port int) string {
	return "http://127.0.0.1:" + strconv.Itoa(port)
}

func etcdArgs(dir string, clientPort, peerPort int) []string {
	client, peer := loopbackURL(clientPort), loopbackURL(peerPort)
	return []string{
		"--name=default",
		"--data-dir=" + filepath.Join(dir, etcdSubdir),
		"--listen-client-urls=" + client,
		"--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer,
		"--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=default=" + peer,
		"--log-level=warn",
		// The data is thrown away with the cluster; skipping fsync makes every write cheap.
		"--unsafe-no-fsync",
	}
}

func apiserverArgs(pki PKI, etcdPort, port int, serviceCIDR string) []string {
	return []string{
		"--etcd-servers=" + loopbackURL(etcdPort),
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		// v1.37 refuses a loopback advertise address unless the endpoint reconciler is off;
		// nothing here needs the kubernetes Service's endpoints.
		"--advertise-address=127.0.0.1",
		"--endpoint-reconciler-type=none",
		"--cert-dir=" + pki.Dir,
		"--tls-cert-file=" + pki.Path(ServingCert),
		"--tls-private-key-file=" + pki.Path(ServingKey),
		"--client-ca-file=" + pki.Path(CACertFile),
		"--service-account-issuer=" + serviceAccountIssuer,
		"--service-account-key-file=" + pki.Path(SAPublicKey),
		"--service-account-signing-key-file=" + pki.Path(SAPrivateKey),
		"--service-cluster-ip-range=" + serviceCIDR,
		"--authorization-mode=Node,RBAC",
		// Join tokens are bootstrap tokens; callers validate one by authenticating with it.
		"--enable-bootstrap-token-auth=true",
		"--allow-privileged=true",
		"--profiling=false",
	}
}

func controllerManagerArgs(pki PKI, kubeconfig, serviceCIDR string) []string {
	return []string{
		"--kubeconfig=" + kubeconfig,
		// bootstrapsigner signs kube-public/cluster-info for each token and tokencleaner
		// deletes expired tokens; both are off by default.
		"--controllers=*,bootstrapsigner,tokencleaner",
		// A real CA as signer, so CSRs are issued as on a kubeadm or K3s cluster.
		"--cluster-signing-cert-file=" + pki.Path(CACertFile),
		"--cluster-signing-key-file=" + pki.Path(CAKeyFile),
		"--root-ca-file=" + pki.Path(CACertFile),
		"--service-account-private-key-file=" + pki.Path(SAPrivateKey),
		// One identity for every controller: a token per controller would be requested one by
		// one at start, several seconds on two cores, and nothing here tests their roles.
		"--use-service-account-credentials=false",
		"--service-cluster-ip-range=" + serviceCIDR,
		"--leader-elect=false",
		"--secure-port=0",
	}
}

func schedulerArgs(kubeconfig string) []string {
	return []string{
		"--kubeconfig=" + kubeconfig,
		"--leader-elect=false",
		"--secure-port=0",
	}
}

func kwokArgs(kubeconfig, binDir, podCIDR string) []string {
	args := []string{
		"--kubeconfig=" + kubeconfig,
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector=" + KwokNodeAnnotation + "=" + KwokNodeAnnotationValue,
		"--cidr=" + podCIDR,
	}
	for _, f := range kwokStageFiles {
		args = append(args, "--config="+filepath.Join(binDir, "kwok-stages", f))
	}
	return args
}
