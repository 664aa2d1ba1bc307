#!/usr/bin/env bash
# local-cluster.sh starts or stops a local Kubernetes control plane (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler, kwok) on 127.0.0.1, seeded as a freshly deployed
# AKS Edge Essentials primary, with a LoadBalancer allocator playing kube-vip-cloud-provider.
#
#   hack/local-cluster.sh up DIR [--flavour k3s|k8s]   # prints the kubeconfig path
#   hack/local-cluster.sh down DIR                     # stops every process "up" started
#
# Everything lives in DIR (certificates, etcd data, logs, kubeconfig, the pids in
# state.json); two directories give two independent clusters. "down" removes nothing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  printf 'usage: %s up DIR [--flavour k3s|k8s]\n       %s down DIR\n' "$0" "$0" >&2
  exit 2
}

[ $# -ge 2 ] || usage
cmd=$1 dir=$2
shift 2
if [ "$cmd" = down ] && [ ! -d "$dir" ]; then
  exit 0
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
tool="$dir/bin/localcluster"

# go build relinks only when the sources changed, so a warm "up" costs no build.
build_tool() {
  mkdir -p "$dir/bin"
  (cd "$root" && go build -o "$tool" ./hack/localcluster)
}

case $cmd in
up)
  bin_dir=$("$root/hack/build-controlplane.sh")
  build_tool
  exec "$tool" up --dir "$dir" --bin-dir "$bin_dir" "$@"
  ;;
down)
  [ $# -eq 0 ] || usage
  [ -f "$dir/state.json" ] || exit 0
  [ -x "$tool" ] || build_tool
  exec "$tool" down --dir "$dir"
  ;;
*)
  usage
  ;;
esac
