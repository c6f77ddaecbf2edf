#!/usr/bin/env bash
# Starts a local OCI registry for the offline deploy rehearsal (DEPLOY_TARGET=local): Debian's `docker-registry`
# package (CNCF distribution 2.x), listening on 127.0.0.1:5000, storing images on the local filesystem.
#
#   bash infra/scripts/start-local-registry.sh          install if missing, start in the background, wait for /v2/
#   bash infra/scripts/start-local-registry.sh --stop   stop the registry this script started
#
# Environment: LOCAL_REGISTRY (host:port, default 127.0.0.1:5000), LOCAL_REGISTRY_DIR (config, data and log;
# default infra/.local/registry). Safe to run twice: a registry already answering at the address is reused.
set -euo pipefail

addr="${LOCAL_REGISTRY:-127.0.0.1:5000}"
state="${LOCAL_REGISTRY_DIR:-$(cd "$(dirname "$0")/.." && pwd)/.local/registry}"
url="http://${addr}/v2/"
binary=/usr/bin/docker-registry

fail() {
  echo "start-local-registry: $*" >&2
  exit 1
}

answers() {
  curl -fsS -o /dev/null -m 2 "$url" 2>/dev/null
}

if [ "${1:-}" = "--stop" ]; then
  if [ -f "$state/registry.pid" ]; then
    pid="$(cat "$state/registry.pid")"
    if kill "$pid" 2>/dev/null; then echo "Stopped the local registry (pid $pid)."; fi
    rm -f "$state/registry.pid"
  else
    echo "No registry started by this script (no $state/registry.pid)."
  fi
  exit 0
fi

missing=()
command -v curl >/dev/null || missing+=(curl)
[ -x "$binary" ] || missing+=(docker-registry)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    fail "needs the Debian packages: ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}"
  fi
  echo "Installing ${missing[*]} (apt)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if answers; then
  echo "A registry already answers at $url: reusing it."
  exit 0
fi

mkdir -p "$state/data"
cat >"$state/config.yml" <<YAML
# Written by infra/scripts/start-local-registry.sh: a throwaway registry for the offline deploy rehearsal.
version: 0.1
log:
  level: warn
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: $state/data
  delete:
    enabled: true
http:
  addr: $addr
  headers:
    X-Content-Type-Options: [nosniff]
YAML

nohup "$binary" serve "$state/config.yml" >"$state/registry.log" 2>&1 &
pid=$!
echo "$pid" >"$state/registry.pid"

for _ in $(seq 1 100); do
  if answers; then
    echo "Local registry ready at $url (pid $pid, data in $state/data, log in $state/registry.log)."
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    tail -n 20 "$state/registry.log" >&2 || true
    fail "the registry exited at start (is $addr already taken?). Log: $state/registry.log"
  fi
  sleep 0.1
done
tail -n 20 "$state/registry.log" >&2 || true
fail "the registry did not answer at $url within 10 s. Log: $state/registry.log"
