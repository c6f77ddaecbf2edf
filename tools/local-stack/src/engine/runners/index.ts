import type { RunnerKind } from "../../contract.js";
import { type ContainerRunnerOptions, createContainerRunner } from "./container.js";
import { createFallbackRunner } from "./fallback.js";
import { createRicRunner, ricUnavailable } from "./ric.js";
import type { Runner } from "./runner.js";

export type { ContainerRunnerOptions } from "./container.js";
export type { Runner, RuntimeExit, RuntimeProcess, SpawnRequest } from "./runner.js";
export { createContainerRunner, createFallbackRunner, createRicRunner };

const RUNNER_KINDS: readonly RunnerKind[] = ["ric", "fallback", "container"];

/** Options a runner kind may take: the container runner's, and for "ric" what to assume about this machine. */
export interface RunnerOptions extends ContainerRunnerOptions {
  /** Why the real runtime client cannot run here (default: looked up with `ricUnavailable`); for tests. */
  readonly ricProblem?: string | undefined;
  /** The environment that decides whether the real client is required (`CI=true`; default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The real runtime client where its native client was built; otherwise (an install without cmake or a C++
 * compiler) the pure-JS fallback client, with a notice saying how to get the real one. In CI the real client is
 * required: CI installs the toolchain, and the suites that name the real client must run it.
 */
function createRicOrFallbackRunner(options: RunnerOptions): Runner {
  const problem = "ricProblem" in options ? options.ricProblem : ricUnavailable();
  if (problem === undefined) return createRicRunner();
  if ((options.env ?? process.env).CI === "true") throw new Error(problem);
  return {
    ...createFallbackRunner(),
    notice:
      "aws-lambda-ric's native client is not built here (pnpm install found no cmake or C++ compiler), so functions " +
      "run on the pure-JS fallback runtime client. For the real client: install cmake, g++ and make, then run " +
      "`pnpm rebuild aws-lambda-ric`.",
  };
}

export function createRunner(kind: RunnerKind, options: RunnerOptions = {}): Runner {
  switch (kind) {
    case "ric":
      return createRicOrFallbackRunner(options);
    case "fallback":
      return createFallbackRunner();
    case "container":
      return createContainerRunner(options);
    default:
      throw new Error(`Unknown runner "${String(kind)}": use one of ${RUNNER_KINDS.join(", ")}.`);
  }
}
