import type { RunnerKind } from "../contract.js";
import { createContainerRunner } from "./container.js";
import { createFallbackRunner } from "./fallback.js";
import { createRicRunner } from "./ric.js";
import type { Runner } from "./runner.js";

export type { Runner, RuntimeExit, RuntimeProcess, SpawnRequest } from "./runner.js";
export { createContainerRunner, createFallbackRunner, createRicRunner };

export const RUNNER_KINDS: readonly RunnerKind[] = ["ric", "fallback", "container"];

export function createRunner(kind: RunnerKind): Runner {
  switch (kind) {
    case "ric":
      return createRicRunner();
    case "fallback":
      return createFallbackRunner();
    case "container":
      return createContainerRunner();
    default:
      throw new Error(`Unknown runner "${String(kind)}": use one of ${RUNNER_KINDS.join(", ")}.`);
  }
}
