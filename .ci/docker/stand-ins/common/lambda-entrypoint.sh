#!/bin/sh
# Stand-in for AWS's /lambda-entrypoint.sh (CI only): the image's CMD is the handler; with AWS_LAMBDA_RUNTIME_API
# set it starts /var/runtime/bootstrap, otherwise the Runtime Interface Emulator, which the real image carries at
# /usr/local/bin/aws-lambda-rie and this stand-in does not.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"

RUNTIME_ENTRYPOINT=/var/runtime/bootstrap
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  if [ ! -x /usr/local/bin/aws-lambda-rie ]; then
    echo "stand-in base image: no Runtime Interface Emulator here; set AWS_LAMBDA_RUNTIME_API to a Runtime API" \
      "(docker run --network host -e AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT ...)" 1>&2
    exit 142
  fi
  exec /usr/local/bin/aws-lambda-rie $RUNTIME_ENTRYPOINT
else
  exec $RUNTIME_ENTRYPOINT
fi
