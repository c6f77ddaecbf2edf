import type { RunnerKind } from "../contract.js";
import { type ContainerRunnerOptions, createContainerRunner } from "./container.js";
import { createFallbackRunner } from "./fallback.js";
import { createRicRunner } from "./ric.js";
import type { Runner } from "./runner.js";

export type { ContainerRunnerOptions } from "./container.js";
export type { Runner, RuntimeExit, RuntimeProcess, SpawnRequest } from "./runner.js";
export { createContainerRunner, createFallbackRunner, createRicRunner };

export const RUNNER_KINDS: readonly RunnerKind[] = ["ric", "fallback", "container"];

/** Options a runner kind may take (only the container runner has any). */
export type RunnerOptions = ContainerRunnerOptions;

export function createRunner(kind: RunnerKind, options: RunnerOptions = {}): Runner {
  switch (kind) {
    case "ric":
      return createRicRunner();
    case "fallback":
      return createFallbackRunner();
    case "container":
      return createContainerRunner(options);
    default:
      throw new Error(`Unknown runner "${String(kind)}": use one of ${RUNNER_KINDS.join(", ")}.`);
  }
}
