#!/usr/bin/env bash
# demo.sh runs the whole scale-out on this machine: a local control plane seeded as the
# article's AKS EE primary (VIP 10.10.75.50, Linux node 10.10.75.51), a simulated Windows
# host named aksee-worker02, then scale-config and join for the article's second worker
# (Linux 10.10.75.62, Windows 10.10.75.72), and the nodes as kubectl shows them. It stops
# everything it started, whether it succeeds or not.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d "${TMPDIR:-/tmp}/aksee-demo.XXXXXX")
cluster_dir="$work/cluster"
hostsim_pid=""

step() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }

cleanup() {
  local rc=$?
  step "Stopping everything the demo started"
  [ -n "$hostsim_pid" ] && kill "$hostsim_pid" 2>/dev/null && wait "$hostsim_pid" 2>/dev/null
  hack/local-cluster.sh down "$cluster_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT INT TERM

step "Building kubectl-aksee and the simulated host"
go build -o "$work/bin/kubectl-aksee" ./cmd/kubectl-aksee
go build -o "$work/bin/hostsim" ./hack/hostsim
cp_dir=$(hack/build-controlplane.sh)
export PATH="$work/bin:$cp_dir:$PATH"

step "Starting the local control plane, seeded as the article's K3s primary"
kubeconfig=$(hack/local-cluster.sh up "$cluster_dir" --flavour k3s | tail -n 1)
export KUBECONFIG="$kubeconfig"
kubectl get nodes -o wide

step "Starting the simulated Windows host aksee-worker02"
password=$(head -c 18 /dev/urandom | base64)
HOSTSIM_PASSWORD="$password" hostsim --kubeconfig "$kubeconfig" --hostname aksee-worker02 \
  --listen 127.0.0.1:0 --ca-out "$work/hostsim-ca.pem" >"$work/hostsim.out" 2>"$work/hostsim.log" &
hostsim_pid=$!
for _ in $(seq 100); do
  [ -s "$work/hostsim.out" ] && break
  sleep 0.1
done
endpoint=$(head -n 1 "$work/hostsim.out")
[ -n "$endpoint" ] || { cat "$work/hostsim.log" >&2; exit 1; }
host=${endpoint#*://}
host=${host%%/*}
echo "WinRM endpoint: $endpoint" >&2

step "Writing the primary's aksedge-config.json (the article's lab)"
kubectl-aksee config new --deployment-type ScalableCluster --node-type Linux \
  --control-plane-ip 10.10.75.50 --gateway 10.10.75.1 --prefix-length 24 --dns 8.8.8.8 \
  --service-ip-start 10.10.75.101 --service-ip-size 50 --network-plugin flannel \
  --adapter Ethernet --linux-ip 10.10.75.51 --linux-memory-mb 8192 --accept-eula \
  --out "$work/aksedge-config.json"

step "kubectl aksee scale-config (the article's worker 2)"
kubectl aksee scale-config --from "$work/aksedge-config.json" --linux-ip 10.10.75.62 \
  --windows-ip 10.10.75.72 --machine-name aksee-worker02 --out "$work/worker02.json"

step "kubectl aksee join $host"
AKSEE_WINRM_PASSWORD="$password" kubectl aksee join "$host" -f "$work/worker02.json" \
  --winrm-ca "$work/hostsim-ca.pem"

step "kubectl get nodes -o wide"
kubectl get nodes -o wide
