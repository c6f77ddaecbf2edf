#!/usr/bin/env bash
# Starts a Docker engine on a machine that has none running (CI, a fresh development box): installs Debian's
# docker.io when dockerd is missing, starts dockerd in the background with its log in a file, and waits until
# `docker info` answers. Fails loudly, with the end of the engine's log, when the engine does not come up.
# Safe to run twice: an engine that already answers is left alone.
set -euo pipefail

LOG_FILE="${DOCKERD_LOG:-/var/log/dockerd.log}"
WAIT_SECONDS="${DOCKERD_WAIT_SECONDS:-60}"

say() { printf '[start-engine] %s\n' "$*"; }
fail() {
  printf '[start-engine] ERROR: %s\n' "$*" >&2
  exit 1
}

if docker info >/dev/null 2>&1; then
  say "a Docker engine already answers: $(docker info --format '{{.ServerVersion}} ({{.Driver}})')"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || fail "dockerd is missing and installing it needs root: run 'sudo apt-get install docker.io'."
  say "dockerd is missing: installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker.io >/dev/null
fi
command -v docker >/dev/null 2>&1 || fail "no docker client on PATH after installing docker.io."

if pgrep -x dockerd >/dev/null 2>&1; then
  say "dockerd is running but does not answer yet; waiting for it"
else
  [ "$(id -u)" -eq 0 ] || fail "starting dockerd needs root."
  mkdir -p "$(dirname "$LOG_FILE")"
  say "starting dockerd (log: $LOG_FILE)"
  nohup dockerd >>"$LOG_FILE" 2>&1 </dev/null &
fi

for _ in $(seq 1 "$WAIT_SECONDS"); do
  if docker info >/dev/null 2>&1; then
    say "engine ready: $(docker info --format '{{.ServerVersion}} ({{.Driver}}, {{.CgroupDriver}})')"
    exit 0
  fi
  sleep 1
done

echo "---- last lines of $LOG_FILE ----" >&2
tail -n 40 "$LOG_FILE" >&2 || true
fail "the Docker engine did not answer 'docker info' within ${WAIT_SECONDS}s (see the log above)."
