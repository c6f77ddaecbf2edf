import type { Runner } from "./runner.js";

/**
 * Runs an instance from the function's container image. Not implemented yet: the seam is here so the image
 * tooling can fill it in without touching the engine. What a real implementation has to do:
 * - `spawn`: `docker run --rm --network host` the image with the engine's Lambda variables (`-e NAME=VALUE`),
 *   but with `LAMBDA_TASK_ROOT=/var/task`, `LAMBDA_RUNTIME_DIR=/var/runtime`, and without the host's PATH, HOME
 *   and NODE_* (the image has its own); `AWS_LAMBDA_RUNTIME_API` (127.0.0.1:port) works as it is on the host
 *   network. stdout/stderr are the `docker run` client's.
 * - `kill`: `docker kill` the container (not just the client), so a timeout really ends the runtime.
 * - `pid`: the client's pid gives the client's memory, not the function's; read the container's cgroup instead.
 */
export function createContainerRunner(): Runner {
  const unavailable = (): never => {
    throw new Error(
      "The container runner arrives with the images work: build and run images with the image tooling for now, " +
        "and use `--runner ric` (default) or `--runner fallback` for the local stack.",
    );
  };
  return {
    kind: "container",
    runtimeDir: "/var/runtime",
    checkAvailable: unavailable,
    checkFunction: unavailable,
    spawn: unavailable,
  };
}
