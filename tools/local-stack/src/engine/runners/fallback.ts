import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeBinary } from "@lambda-images/node-runtimes";
import { hostArchitectureNotice } from "./architecture.js";
import { requireBundle } from "./bundle.js";
import { spawnNodeRuntime } from "./process.js";
import type { Runner } from "./runner.js";

/** The pure-JS runtime client, shipped as plain JavaScript so `node` runs it as it is. */
const FALLBACK_CLIENT = fileURLToPath(new URL("./fallback/runtime-client.mjs", import.meta.url));

/**
 * A small runtime client in plain JavaScript that follows the same loop as aws-lambda-ric (next, call the
 * handler, response or error; init/error when the handler cannot be loaded). It needs no native build, so it
 * works where the RIC's build is skipped (macOS). The conformance suite runs against both runners.
 */
export function createFallbackRunner(): Runner {
  return {
    kind: "fallback",
    runtimeDir: dirname(FALLBACK_CLIENT),
    checkAvailable() {},
    functionNotice: (definition) => hostArchitectureNotice(definition, "fallback"),
    checkFunction(definition) {
      nodeBinary(definition.runtime);
      requireBundle(definition);
    },
    spawn({ definition, environment, inspectPort, inspectWait }) {
      return spawnNodeRuntime(definition, FALLBACK_CLIENT, environment, { inspectPort, inspectWait });
    },
  };
}
