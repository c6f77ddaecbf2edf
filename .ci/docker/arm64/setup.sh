#!/usr/bin/env bash
# Sets up an x86_64 CI machine to build and run linux/arm64 images: emulation (qemu-user-static registered with
# binfmt_misc, F flag, so containers and chroots run arm64 programs with the host's interpreter) and arm64
# stand-ins for the public base images (.ci/docker/stand-ins/build.sh with STAND_IN_ARCH=arm64, tagged -arm64).
# Idempotent: what is there already is kept (the stand-ins are cached by content). On an arm64 host it does
# nothing: build.sh's stand-ins are arm64 there. Use the result with: source .ci/docker/arm64/overrides.env
# Measured times: .ci/docker/README.md.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
say() { printf '[arm64] %s\n' "$*"; }
fail() {
  printf '[arm64] ERROR: %s\n' "$*" >&2
  exit 1
}

case "$(uname -m)" in
  aarch64 | arm64)
    say "this host is arm64: nothing to emulate, and .ci/docker/stand-ins/build.sh makes arm64 stand-ins."
    exit 0
    ;;
  x86_64) ;;
  *) fail "only x86_64 hosts are set up for arm64 emulation here, not $(uname -m)." ;;
esac
[ "$(id -u)" = 0 ] || fail "run as root: it installs packages and registers binfmt_misc handlers."
started=$SECONDS

# 1. qemu-user-static + binfmt-support (their install registers the handlers, with the F flag on Debian).
if ! command -v qemu-aarch64-static >/dev/null 2>&1 || ! command -v update-binfmts >/dev/null 2>&1; then
  say "apt-get install qemu-user-static binfmt-support"
  step=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends qemu-user-static binfmt-support >/dev/null
  say "installed in $((SECONDS - step))s"
fi

# 2. binfmt_misc mounted (containers often start without it) and qemu-aarch64 registered.
handler=/proc/sys/fs/binfmt_misc/qemu-aarch64
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  say "mounting binfmt_misc"
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ ! -e "$handler" ]; then
  say "registering qemu-aarch64"
  update-binfmts --enable qemu-aarch64
fi
[ -e "$handler" ] || fail "qemu-aarch64 is not registered with binfmt_misc (update-binfmts --display qemu-aarch64)."
grep -qx enabled "$handler" || fail "qemu-aarch64 is registered but disabled: update-binfmts --enable qemu-aarch64"
flags="$(sed -n 's/^flags: //p' "$handler")"
case "$flags" in
  *F*) say "qemu-aarch64 registered (flags: $flags)" ;;
  *)
    fail "qemu-aarch64 is registered without the F flag (flags: $flags): containers would need the interpreter" \
      "inside them. Re-register it with F (Debian's qemu-user-static does so)."
    ;;
esac

# 3. The arm64 stand-ins (cached: seconds when nothing changed).
STAND_IN_ARCH=arm64 bash "$here/../stand-ins/build.sh"
say "ready in $((SECONDS - started))s; use them with: source .ci/docker/arm64/overrides.env"
