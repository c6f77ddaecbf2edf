#!/bin/sh
# Installs the pinned AWS Lambda Runtime Interface Client for Node.js with npm (which compiles its native addon
# with cmake, g++, make and python3) and copies into DEST only the files it runs from, plus its licences:
#
#   assemble-ric.sh VERSION DEST
#
# Runs in the builder stage of the shared images; the compilers and npm's cache never leave that stage.
set -eu

version="${1:?usage: assemble-ric.sh VERSION DEST}"
dest="${2:?usage: assemble-ric.sh VERSION DEST}"

# One architecture per build: when the build names one (TARGETARCH), the Node.js it compiles against must match.
if [ -n "${TARGETARCH:-}" ]; then
  case "$TARGETARCH" in
    amd64) want=x64 ;;
    *) want="$TARGETARCH" ;;
  esac
  have="$(node -p process.arch)"
  if [ "$have" != "$want" ]; then
    echo "assemble-ric: this build targets $TARGETARCH but the Node.js in the builder is $have: build with --platform linux/$TARGETARCH" >&2
    exit 1
  fi
fi

# node-gyp finds Node's headers next to the binary instead of downloading them.
node_prefix="$(dirname "$(dirname "$(command -v node)")")"
export npm_config_nodedir="${npm_config_nodedir:-$node_prefix}"

work="$(mktemp -d)"
cd "$work"
npm install --no-audit --no-fund --no-update-notifier --no-package-lock --omit=dev --loglevel=warn "aws-lambda-ric@${version}"

pkg="$work/node_modules/aws-lambda-ric"
mkdir -p "$dest"
for file in package.json index.mjs rapid-client.node LICENSE NOTICE THIRD-PARTY-LICENSES; do
  cp "$pkg/$file" "$dest/$file"
done
# The addon must load with this Node.js and this C library, or the image would only fail at its first start.
# (Loading it reads AWS_LAMBDA_RUNTIME_API and aborts the process when it is unset; nothing is contacted.)
AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001 node -e 'process.dlopen({ exports: {} }, process.argv[1])' "$dest/rapid-client.node"

cd /
rm -rf "$work" "${HOME:-/root}/.npm" /tmp/node-compile-cache
echo "assemble-ric: aws-lambda-ric@${version} in $dest ($(du -sk "$dest" | cut -f1) KiB)"
