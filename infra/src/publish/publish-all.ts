import type { FunctionDefinition } from "@lambda-images/function-config";
import { publishFunction } from "./publish.js";
import type { ImageRegistry } from "./registries.js";

/**
 * Publishes functions in parallel and prints one line per event and a summary. A function whose content tag the
 * registry already holds is only recorded, not pushed. Returns true when every function succeeded.
 */
export async function publishFunctions(options: {
  readonly functions: readonly FunctionDefinition[];
  readonly registry: ImageRegistry;
  readonly stage: string;
  readonly deployDir: string;
}): Promise<boolean> {
  const { functions, registry, stage, deployDir } = options;
  const results = await Promise.allSettled(
    functions.map((fn) =>
      publishFunction({ fn, stage, registry, deployDir, log: (line) => console.log(`[publish] ${line}`) }),
    ),
  );
  let failed = 0;
  let pushed = 0;
  results.forEach((result, index) => {
    if (result.status === "fulfilled") {
      if (result.value.pushed) pushed += 1;
      return;
    }
    failed += 1;
    console.error(`[publish] ${functions[index]?.name}: ${(result.reason as Error).message}`);
  });
  const unchanged = results.length - pushed - failed;
  console.log(
    `[publish] ${registry.target}/${stage}: ${pushed} pushed, ${unchanged} unchanged, ${failed} failed`,
  );
  return failed === 0;
}
