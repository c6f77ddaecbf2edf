import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { nodeBinary } from "@lambda-images/node-runtimes";
import { hostArchitectureNotice } from "./architecture.js";
import { requireBundle } from "./bundle.js";
import { spawnNodeRuntime } from "./process.js";
import type { Runner } from "./runner.js";

const require = createRequire(import.meta.url);

/** Where the installed aws-lambda-ric keeps its entry point and native client. */
function locateRic(): { entry: string; dir: string; nativeClient: string } {
  let entry: string;
  try {
    entry = require.resolve("aws-lambda-ric");
  } catch {
    throw new Error(
      "aws-lambda-ric is not installed next to @lambda-images/local-stack: run `pnpm install` at the workspace " +
        "root, or start the local stack with `--runner fallback`.",
    );
  }
  const dir = dirname(entry);
  return { entry, dir, nativeClient: join(dir, "rapid-client.node") };
}

/**
 * Why the real runtime client cannot run on this machine (not installed, or its native client not built: it is an
 * optional dependency, skipped where `pnpm install` had no cmake or C++ compiler), or undefined when it can.
 */
export function ricUnavailable(locate: typeof locateRic = locateRic): string | undefined {
  let ric: ReturnType<typeof locateRic>;
  try {
    ric = locate();
  } catch (error) {
    return (error as Error).message;
  }
  if (existsSync(ric.nativeClient)) return undefined;
  return (
    `aws-lambda-ric's native client was not built (${ric.nativeClient} is missing). Install cmake, g++, make ` +
    "and python3, then run `pnpm rebuild aws-lambda-ric`; or use the pure-JS client with `--runner fallback`."
  );
}

/**
 * The real Node.js Runtime Interface Client (aws-lambda-ric 4.x), run by the function's runtime's Node.js with the
 * function's `dist/` as the task root: the same client the AWS base image and the other two image strategies run.
 */
export function createRicRunner(): Runner {
  const ric = locateRic();
  return {
    kind: "ric",
    runtimeDir: ric.dir,
    checkAvailable() {
      const problem = ricUnavailable(() => ric);
      if (problem !== undefined) throw new Error(problem);
    },
    functionNotice: (definition) => hostArchitectureNotice(definition, "ric"),
    checkFunction(definition) {
      nodeBinary(definition.runtime);
      requireBundle(definition);
    },
    spawn({ definition, environment, inspectPort, inspectWait }) {
      return spawnNodeRuntime(definition, ric.entry, environment, { inspectPort, inspectWait });
    },
  };
}
