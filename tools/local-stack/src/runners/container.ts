import type { Runner } from "./runner.js";

/**
 * Runs an instance from the function's container image (`docker run --network host` with
 * `AWS_LAMBDA_RUNTIME_API` pointing at the instance's Runtime API). Not implemented yet: the seam is here so the
 * image tooling can fill it in without touching the engine.
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
