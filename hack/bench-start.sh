#!/usr/bin/env bash
# bench-start.sh measures warm starts of the local control plane: etcd alone (the baseline),
# the control plane to /readyz ok, and the seeded K3s primary with its pods Running, each
# the median of RUNS (default 5) starts. It prints a Markdown table for BENCHMARKS.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin_dir=$("$root/hack/build-controlplane.sh")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/localcluster" ./hack/localcluster)
"$work/localcluster" bench --bin-dir "$bin_dir" --runs "${RUNS:-5}" --dir "$work/runs"
