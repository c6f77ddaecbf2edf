/**
 * The emulator's runner: the runtime is a command in the same container (the image's bootstrap), started with
 * the environment the engine builds for each instance, in its own process group like the host runners.
 */

import { spawnRuntimeProcess } from "../engine/runners/process.js";
import type { Runner } from "../engine/runners/runner.js";
import { type RuntimeCommand, requireExecutable } from "./definition.js";

export function createCommandRunner(command: RuntimeCommand, runtimeDir: string): Runner {
  return {
    kind: "command",
    runtimeDir,
    checkAvailable() {},
    checkFunction() {
      requireExecutable(command.file);
    },
    spawn({ environment }) {
      return spawnRuntimeProcess(command.file, command.args, environment, command.cwd);
    },
  };
}
