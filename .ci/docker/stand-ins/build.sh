#!/usr/bin/env bash
# Builds LOCAL STAND-INS for the public base images this project's Dockerfiles start from, on a network where no
# container registry is reachable (CI, this project's development machines). Each is tagged under localhost/stand-in/
# and never under the real name; the builds use them through IMAGE_BASE_OVERRIDES (see overrides.env).
#
#   localhost/stand-in/debian:bookworm-minbase        debootstrap --variant=minbase bookworm + the host's CA bundle
#   localhost/stand-in/node:24.22.3-bookworm-slim      for node:24.22.3-bookworm-slim
#   localhost/stand-in/lambda-provided:al2023          for public.ecr.aws/lambda/provided:al2023
#   localhost/stand-in/lambda-nodejs:24                for public.ecr.aws/lambda/nodejs:24
#
# What each one differs in from the real image: docs/stand-ins.md. Cached: an image whose content-hash label matches
# its inputs is not rebuilt, so a second run takes seconds. FORCE=1 rebuilds everything.
#
# STAND_IN_ARCH=arm64 (or x86_64) builds them for that architecture instead of the host's. A foreign architecture
# runs under emulation (qemu-user-static with binfmt_misc: .ci/docker/arm64/setup.sh) and its stand-ins are tagged
# with a -<arch> suffix (localhost/stand-in/lambda-nodejs:24-arm64), since this engine keeps one image per tag.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
NODE_VERSION="24.22.3"
NPM_VERSION="10.9.9"
RIC_VERSION="4.0.2"
SUITE="bookworm"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
HOST_CA_BUNDLE="${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
CACHE_DIR="${STAND_IN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lambda-images/stand-ins}"
HASH_LABEL="org.lambda-images.stand-in.hash"


case "$(uname -m)" in
  x86_64) host_arch=x86_64 ;;
  aarch64) host_arch=arm64 ;;
  *) host_arch="$(uname -m)" ;;
esac
ARCH="${STAND_IN_ARCH:-$host_arch}"
case "$ARCH" in
  x86_64 | amd64) ARCH=x86_64 node_arch=x64 deb_arch=amd64 docker_arch=amd64 ;;
  arm64 | aarch64) ARCH=arm64 node_arch=arm64 deb_arch=arm64 docker_arch=arm64 ;;
  *) printf '[stand-ins] ERROR: no Node.js build for %s\n' "$ARCH" >&2 && exit 1 ;;
esac
suffix=""
[ "$ARCH" = "$host_arch" ] || suffix="-$docker_arch"
PLATFORM="linux/$docker_arch"

BASE_TAG="localhost/stand-in/debian:${SUITE}-minbase${suffix}"
NODE_TAG="localhost/stand-in/node:${NODE_VERSION}-bookworm-slim${suffix}"
PROVIDED_TAG="localhost/stand-in/lambda-provided:al2023${suffix}"
NODEJS_TAG="localhost/stand-in/lambda-nodejs:24${suffix}"

say() { printf '[stand-ins] %s\n' "$*"; }
fail() {
  printf '[stand-ins] ERROR: %s\n' "$*" >&2
  exit 1
}

command -v docker >/dev/null 2>&1 || fail "no docker client: run .ci/docker/start-engine.sh first."
docker info >/dev/null 2>&1 || fail "the Docker engine does not answer: run .ci/docker/start-engine.sh first."
[ -r "$HOST_CA_BUNDLE" ] || fail "no CA bundle at $HOST_CA_BUNDLE (set HOST_CA_BUNDLE): builds need it for npm over HTTPS."

# A foreign architecture's programs run through binfmt_misc (qemu, registered with the F flag so that chroots and
# containers use the host's interpreter).
if [ "$ARCH" = arm64 ] && [ -n "$suffix" ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  fail "arm64 programs cannot run here (binfmt_misc has no qemu-aarch64): run .ci/docker/arm64/setup.sh first."
fi

sha() { sha256sum | cut -c1-16; }
# The hash a stand-in is labelled with: its recipe (files), its parameters and the id of the image it builds on.
recipe_hash() {
  {
    printf '%s\n' "$@"
    for dir in "$here/common" "$here/$1"; do
      [ -d "$dir" ] || continue
      (cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
    done
  } | sha
}
current_hash() { docker image inspect --format "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$1" 2>/dev/null || true; }
image_id() { docker image inspect --format '{{.Id}}' "$1"; }

mkdir -p "$CACHE_DIR"
started=$SECONDS

# 1. Debian minbase, imported from a debootstrap tree, with the host's CA bundle for npm over HTTPS in builds.
ca_sha="$(sha <"$HOST_CA_BUNDLE")"
base_hash="$(printf '%s\n' "$SUITE" minbase "$deb_arch" "$MIRROR" "$ca_sha" "$(sha <"$0")" | sha)"
if [ "${FORCE:-0}" != 1 ] && [ "$(current_hash "$BASE_TAG")" = "$base_hash" ]; then
  say "$BASE_TAG is up to date"
else
  command -v debootstrap >/dev/null 2>&1 || fail "debootstrap is missing: apt-get install debootstrap"
  rootfs="$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")"
  trap 'rm -rf "$rootfs"' EXIT
  log="$CACHE_DIR/debootstrap${suffix}.log"
  say "debootstrap --variant=minbase --arch $deb_arch $SUITE ($MIRROR)"
  if [ -z "$suffix" ]; then
    debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >"$log" 2>&1 ||
      { tail -n 20 "$log" >&2; fail "debootstrap failed (log above)"; }
  else
    # Foreign: unpack on the host, then configure the packages inside the tree under emulation.
    debootstrap --variant=minbase --arch "$deb_arch" --foreign "$SUITE" "$rootfs" "$MIRROR" >"$log" 2>&1 ||
      { tail -n 20 "$log" >&2; fail "debootstrap (first stage) failed (log above)"; }
    say "debootstrap second stage under emulation"
    chroot "$rootfs" /debootstrap/debootstrap --second-stage >>"$log" 2>&1 ||
      { tail -n 20 "$log" >&2; fail "debootstrap (second stage) failed (log above)"; }
  fi
  mkdir -p "$rootfs/usr/local/share/stand-in"
  cp "$HOST_CA_BUNDLE" "$rootfs/usr/local/share/stand-in/host-ca-certificates.crt"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  if [ -z "$suffix" ]; then
    tar -C "$rootfs" -c . | docker import \
      --change "LABEL $HASH_LABEL=$base_hash" \
      --change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/stand-in/host-ca-certificates.crt" \
      --change "ENV NPM_CONFIG_CAFILE=/usr/local/share/stand-in/host-ca-certificates.crt" \
      --change 'CMD ["/bin/bash"]' \
      - "$BASE_TAG" >/dev/null
  else
    # docker import (engine 20.10) records the engine's own architecture whatever --platform says; a classic
    # build FROM scratch records the platform it is asked for.
    context="$(mktemp -d "$CACHE_DIR/context.XXXXXX")"
    tar -C "$rootfs" -cf "$context/rootfs.tar" .
    cat >"$context/Dockerfile" <<'DOCKERFILE'
FROM scratch
ADD rootfs.tar /
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/stand-in/host-ca-certificates.crt \
    NPM_CONFIG_CAFILE=/usr/local/share/stand-in/host-ca-certificates.crt
CMD ["/bin/bash"]
DOCKERFILE
    docker build --platform "$PLATFORM" --label "$HASH_LABEL=$base_hash" -t "$BASE_TAG" "$context" \
      >"$CACHE_DIR/debian${suffix}.build.log" 2>&1 ||
      { tail -n 20 "$CACHE_DIR/debian${suffix}.build.log" >&2; fail "importing $BASE_TAG failed (log above)"; }
    rm -rf "$context"
  fi
  rm -rf "$rootfs"
  trap - EXIT
  say "imported $BASE_TAG in $((SECONDS - started))s"
fi
base_id="$(image_id "$BASE_TAG")"

# Builds stand-in NAME as TAG from a context holding its folder, common/ and whatever extra files the caller puts in.
build_stand_in() {
  local name="$1" tag="$2" hash="$3" context="$4"
  shift 4
  cp -R "$here/$name/." "$context/"
  cp -R "$here/common/." "$context/"
  say "building $tag"
  local step_started=$SECONDS
  local log="$CACHE_DIR/$name${suffix}.build.log"
  docker build ${suffix:+--platform "$PLATFORM"} --label "$HASH_LABEL=$hash" -t "$tag" "$@" "$context" >"$log" 2>&1 ||
    { tail -n 30 "$log" >&2; fail "building $tag failed (log: $log)"; }
  rm -rf "$context"
  say "built $tag in $((SECONDS - step_started))s"
}

# 2. node:24-bookworm-slim: the official Node.js build from the npm package node-linux-<arch>, and npm.
node_hash="$(recipe_hash node "$base_id" "$NODE_VERSION" "$NPM_VERSION" "$node_arch")"
if [ "${FORCE:-0}" != 1 ] && [ "$(current_hash "$NODE_TAG")" = "$node_hash" ]; then
  say "$NODE_TAG is up to date"
else
  packs="$CACHE_DIR/npm-packs"
  mkdir -p "$packs"
  node_tgz="$packs/node-linux-${node_arch}-${NODE_VERSION}.tgz"
  npm_tgz="$packs/npm-${NPM_VERSION}.tgz"
  [ -s "$node_tgz" ] || (cd "$packs" && npm pack --silent "node-linux-${node_arch}@${NODE_VERSION}" >/dev/null)
  [ -s "$npm_tgz" ] || (cd "$packs" && npm pack --silent "npm@${NPM_VERSION}" >/dev/null)
  context="$(mktemp -d "$CACHE_DIR/context.XXXXXX")"
  mkdir -p "$context/usr-local/lib/node_modules/npm"
  tar -xzf "$node_tgz" -C "$context/usr-local" --strip-components=1 package/bin package/include
  tar -xzf "$npm_tgz" -C "$context/usr-local/lib/node_modules/npm" --strip-components=1
  build_stand_in node "$NODE_TAG" "$node_hash" "$context" \
    --build-arg "STAND_IN_BASE=$base_id" --build-arg "NODE_VERSION=$NODE_VERSION"
fi
node_id="$(image_id "$NODE_TAG")"

# 3. provided:al2023: the OS-only layout, the entry point and a dnf that speaks apt.
provided_hash="$(recipe_hash lambda-provided "$base_id")"
if [ "${FORCE:-0}" != 1 ] && [ "$(current_hash "$PROVIDED_TAG")" = "$provided_hash" ]; then
  say "$PROVIDED_TAG is up to date"
else
  build_stand_in lambda-provided "$PROVIDED_TAG" "$provided_hash" "$(mktemp -d "$CACHE_DIR/context.XXXXXX")" \
    --build-arg "STAND_IN_BASE=$base_id"
fi

# 4. nodejs:24: Node.js in /var/lang, the RIC in /var/runtime.
nodejs_hash="$(recipe_hash lambda-nodejs "$base_id" "$node_id" "$RIC_VERSION")"
if [ "${FORCE:-0}" != 1 ] && [ "$(current_hash "$NODEJS_TAG")" = "$nodejs_hash" ]; then
  say "$NODEJS_TAG is up to date"
else
  build_stand_in lambda-nodejs "$NODEJS_TAG" "$nodejs_hash" "$(mktemp -d "$CACHE_DIR/context.XXXXXX")" \
    --build-arg "STAND_IN_BASE=$base_id" --build-arg "STAND_IN_NODE=$node_id" \
    --build-arg "RIC_VERSION=$RIC_VERSION"
fi

say "stand-ins ready in $((SECONDS - started))s:"
docker image ls --format '  {{.Repository}}:{{.Tag}}  {{.ID}}  {{.Size}}' | grep 'localhost/stand-in/' || true
if [ -z "$suffix" ]; then
  say "use them with: source .ci/docker/stand-ins/overrides.env"
else
  say "use them with: source .ci/docker/$docker_arch/overrides.env"
fi
