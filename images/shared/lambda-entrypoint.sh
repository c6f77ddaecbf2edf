#!/bin/sh
# /lambda-entrypoint.sh of the images that are not built on an AWS base, after AWS's own: the image's CMD is the
# handler (["index.handler"]).
#   - AWS_LAMBDA_RUNTIME_API set (in Lambda, or a local Runtime API such as lambda-local's): starts the runtime.
#   - not set: starts the runtime under a Runtime Interface Emulator listening on :8080. Production images carry
#     none; a local-only image adds one at $LAMBDA_EMULATOR (default /usr/local/bin/aws-lambda-rie).
if [ $# -ne 1 ]; then
  echo "lambda-entrypoint: expected one argument, the handler (e.g. index.handler), got $#: set CMD [\"index.handler\"]" >&2
  exit 142
fi
export _HANDLER="$1"

runtime_entrypoint="${LAMBDA_RUNTIME_DIR:-/var/runtime}/bootstrap"
if [ -n "${AWS_LAMBDA_RUNTIME_API:-}" ]; then
  exec "$runtime_entrypoint"
fi

emulator="${LAMBDA_EMULATOR:-/usr/local/bin/aws-lambda-rie}"
if [ -x "$emulator" ]; then
  exec "$emulator" "$runtime_entrypoint"
fi
echo "lambda-entrypoint: AWS_LAMBDA_RUNTIME_API is not set and this image has no Runtime Interface Emulator" \
  "($emulator). Point AWS_LAMBDA_RUNTIME_API at a Runtime API (docker run --network host" \
  "-e AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT ...) or build a local-only image that adds an emulator" \
  "(docs/strategies.md, \"Local target\")." >&2
exit 142
