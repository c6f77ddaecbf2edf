import { spawn } from "node:child_process";
import type { RuntimeExit, RuntimeProcess } from "./runner.js";

/** Spawns `command` with exactly `environment` and wraps it as a RuntimeProcess. */
export function spawnRuntimeProcess(
  command: string,
  args: readonly string[],
  environment: Readonly<Record<string, string>>,
  cwd: string,
): RuntimeProcess {
  const child = spawn(command, args, { cwd, env: { ...environment }, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<RuntimeExit>((resolve) => {
    child.once("error", (error) => resolve({ code: 127, signal: null, startError: error.message }));
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    pid: child.pid,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}
