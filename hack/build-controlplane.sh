#!/usr/bin/env bash
# build-controlplane.sh builds the real control-plane binaries (kube-apiserver,
# kube-controller-manager, kube-scheduler, etcd, kwok) and kubectl from the Go module proxy
# and caches them by version, Go version and platform. It prints the cache directory on
# stdout. Each binary is built in a temporary directory and renamed into the cache, so an
# interrupted build never looks cached, and a later run builds only what is missing.
#
# k8s.io/kubernetes cannot be built with a plain "go install": its go.mod replaces the
# staging modules (k8s.io/api, ...) with local paths. A throw-away module that requires it
# and points every staging module at its published v0.X.Y tag builds the same code.
set -euo pipefail

KUBE_VERSION=${KUBE_VERSION:-v1.37.2}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}

goversion=$(go env GOVERSION)
platform=$(go env GOOS)-$(go env GOARCH)
cache_root=${AKSEE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-aksee}
dest="$cache_root/controlplane/kube-$KUBE_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION-$goversion-$platform"
kube_binaries=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
binaries=("${kube_binaries[@]}" etcd kwok)

log() { printf '%s\n' "$*" >&2; }

cached() {
  local b
  for b in "${binaries[@]}"; do [ -x "$dest/$b" ] || return 1; done
  [ -d "$dest/kwok-stages" ] || return 1
}

if cached; then
  printf '%s\n' "$dest"
  exit 0
fi

# One build at a time: a second caller waits for the first and then finds the cache filled.
mkdir -p "$cache_root/controlplane"
exec 9>"$cache_root/controlplane/.lock"
flock 9
if cached; then
  printf '%s\n' "$dest"
  exit 0
fi

missing() { [ ! -x "$dest/$1" ]; }

log "Building the local control plane ($KUBE_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION) into $dest."
log "The first build takes about 15-20 minutes on 2 cores; later runs reuse the cache."

mkdir -p "$cache_root/controlplane"
work=$(mktemp -d "$cache_root/controlplane/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"

build_kubernetes() {
  local mod="$work/kubernetes" minor=${KUBE_VERSION#v1.}
  local staging_version="v0.${minor}"
  mkdir -p "$mod"
  go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" >"$work/kubernetes.json"
  local gomod
  gomod=$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p' "$work/kubernetes.json")
  {
    printf 'module aksee.local/controlplane\n\ngo 1.26\n\nrequire k8s.io/kubernetes %s\n\n' "$KUBE_VERSION"
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$gomod" |
      while read -r m; do printf 'replace %s v0.0.0 => %s %s\n' "$m" "$m" "$staging_version"; done
  } >"$mod/go.mod"
  local ldflags="-s -w"
  local v=k8s.io/component-base/version
  ldflags+=" -X $v.gitVersion=$KUBE_VERSION -X $v.gitMajor=1 -X $v.gitMinor=${minor%%.*}"
  ldflags+=" -X $v.gitTreeState=clean -X $v.buildDate=1970-01-01T00:00:00Z"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$KUBE_VERSION"
  local cmd
  for cmd in "${kube_binaries[@]}"; do
    missing "$cmd" || continue
    log "  go build $cmd"
    (cd "$mod" && GOFLAGS=-mod=mod go build -ldflags "$ldflags" -o "$work/bin/$cmd" "k8s.io/kubernetes/cmd/$cmd")
  done
}

build_etcd() {
  local mod="$work/etcd"
  mkdir -p "$mod"
  printf 'module aksee.local/etcd\n\ngo 1.26\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$mod/go.mod"
  log "  go build etcd"
  (cd "$mod" && GOFLAGS=-mod=mod go build -ldflags "-s -w" -o "$work/bin/etcd" go.etcd.io/etcd/server/v3)
}

build_kwok() {
  log "  go install kwok"
  GOBIN="$work/bin" GOFLAGS= go install -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  local dir
  dir=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  mkdir -p "$work/bin/kwok-stages"
  local stage
  for stage in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
    pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    cp "$dir/kustomize/stage/$stage.yaml" "$work/bin/kwok-stages/"
  done
  chmod -R u+w "$work/bin/kwok-stages"
}

missing etcd && build_etcd
{ missing kwok || [ ! -d "$dest/kwok-stages" ]; } && build_kwok
build_kubernetes

mkdir -p "$dest"
for f in "$work"/bin/*; do
  rm -rf "$dest/${f##*/}"
  mv "$f" "$dest/"
done
log "Built the local control plane into $dest."
printf '%s\n' "$dest"
