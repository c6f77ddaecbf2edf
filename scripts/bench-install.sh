#!/usr/bin/env bash
# Times a fresh `pnpm install --frozen-lockfile` as a new user gets it: a clone of this repository's HEAD in a
# temporary folder, an empty pnpm store (so every package is downloaded and aws-lambda-ric's native client is built
# from source), and prints the time it took and how many lines it printed. Not part of `pnpm test` (minutes).
#
#   bash scripts/bench-install.sh                  # as this machine is
#   bash scripts/bench-install.sh --no-toolchain   # with cmake, gcc, g++, cc and make hidden from PATH
#
# For a figure comparable with the README's, run it on an otherwise idle machine: the native build is CPU-bound.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
no_toolchain=false
case "${1:-}" in
  --no-toolchain) no_toolchain=true ;;
  "") ;;
  -h | --help)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "bench-install: unknown option $1 (try --help)" >&2
    exit 2
    ;;
esac

work="$(mktemp -d "${TMPDIR:-/tmp}/bench-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT
git clone --quiet "$repo" "$work/repo"

path="$PATH"
if $no_toolchain; then
  # A PATH of symlinks to every command on it except the C/C++ toolchain (system files are not touched).
  mkdir -p "$work/bin"
  IFS=: read -r -a dirs <<<"$PATH"
  for dir in "${dirs[@]}"; do
    [ -d "$dir" ] || continue
    for cmd in "$dir"/*; do
      name="$(basename "$cmd")"
      case "$name" in
        cmake | ctest | cpack | gcc* | g++* | c++* | cc | make | gmake | clang* | *-linux-gnu-gcc* | *-linux-gnu-g++* | *-linux-gnu-c++*) continue ;;
      esac
      [ -e "$work/bin/$name" ] || ln -s "$cmd" "$work/bin/$name"
    done
  done
  path="$work/bin"
fi

cd "$work/repo"
start=$(date +%s.%N)
status=0
PATH="$path" pnpm install --frozen-lockfile --store-dir "$work/store" >"$work/install.log" 2>&1 || status=$?
end=$(date +%s.%N)

seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", e - s }')
lines=$(wc -l <"$work/install.log")
if [ -f tools/local-stack/node_modules/aws-lambda-ric/rapid-client.node ]; then
  ric="built"
else
  ric="not built (the local stack runs the fallback runtime client)"
fi
log="${TMPDIR:-/tmp}/bench-install$($no_toolchain && echo -no-toolchain).log"
cp "$work/install.log" "$log"
tail -n 5 "$work/install.log"
echo
echo "The whole output: $log"
echo "pnpm install --frozen-lockfile, empty store$($no_toolchain && echo ', no C/C++ toolchain'): exit $status," \
  "$((seconds / 60)) min $((seconds % 60)) s, $lines lines of output; aws-lambda-ric native client: $ric" \
  "($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
exit "$status"
