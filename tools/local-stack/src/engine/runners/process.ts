import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import {
  COMPILE_CACHE_ENV,
  compileCacheDir,
  type FunctionDefinition,
  managedRuntimeNodeFlags,
  SOURCE_MAP_NODE_OPTIONS,
} from "@lambda-images/function-config";
import { nodeBinary } from "@lambda-images/node-runtimes";
import { limitMemory } from "./memory-limit.js";
import type { RuntimeExit, RuntimeProcess } from "./runner.js";

/**
 * Starts `script` (a runtime client) the way AWS's managed Node.js runtime starts node: on the official Node.js of
 * the function's runtime (not the host's), with V8's heap sized from the memory size, `--expose-gc` and the
 * 80 KB header limit, in the function's task root, held to its memory size (see memory-limit.ts). Plus
 * `--enable-source-maps`, which Lambda sets through NODE_OPTIONS (the CDK app deploys it): a stack trace names
 * the function's src/*.ts line, not dist/index.mjs:1:7090.
 * With the compile cache lambda-build filled (compileCacheDir), NODE_COMPILE_CACHE names it: the runtime loads the
 * bundle's compiled code instead of compiling it (Lambda has no such cache; it saves compile work only).
 */
export function spawnNodeRuntime(
  definition: FunctionDefinition,
  script: string,
  environment: Readonly<Record<string, string>>,
  options: { readonly inspectPort?: number | undefined; readonly inspectWait?: boolean | undefined } = {},
): RuntimeProcess {
  // `--inspect`: a debugger may attach on loopback only (never the --host the stack listens on).
  const flag = options.inspectWait === true ? "--inspect-wait" : "--inspect";
  const inspect = options.inspectPort === undefined ? [] : [`${flag}=127.0.0.1:${options.inspectPort}`];
  return spawnRuntimeProcess(
    nodeBinary(definition.runtime),
    [...managedRuntimeNodeFlags(definition.memorySize), SOURCE_MAP_NODE_OPTIONS, ...inspect, script],
    withCompileCache(definition, environment),
    definition.distDir,
    definition.memorySize,
  );
}

/** `environment` plus NODE_COMPILE_CACHE when the function has a compile cache and does not set the variable itself. */
function withCompileCache(
  definition: FunctionDefinition,
  environment: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  if (Object.hasOwn(environment, COMPILE_CACHE_ENV)) return environment;
  const cacheDir = compileCacheDir(definition.dir);
  return existsSync(cacheDir) ? { ...environment, [COMPILE_CACHE_ENV]: cacheDir } : environment;
}

/**
 * Spawns `command` with exactly `environment` and wraps it as a RuntimeProcess. The runtime leads its own process
 * group, so ending the instance also ends whatever the function started (Lambda tears down the whole sandbox).
 * With `memoryLimitMb`, going past it kills the runtime, as Lambda's sandbox does.
 */
export function spawnRuntimeProcess(
  command: string,
  args: readonly string[],
  environment: Readonly<Record<string, string>>,
  cwd: string,
  memoryLimitMb?: number,
): RuntimeProcess {
  const child = spawn(command, args, {
    cwd,
    env: { ...environment },
    stdio: ["ignore", "pipe", "pipe"],
    detached: process.platform !== "win32",
  });
  const killGroup = (): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(process.platform === "win32" ? child.pid : -child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const limit =
    memoryLimitMb === undefined || child.pid === undefined
      ? undefined
      : limitMemory(child.pid, memoryLimitMb, killGroup);
  const exited = new Promise<RuntimeExit>((resolve) => {
    child.once("error", (error) => {
      limit?.release();
      resolve({ code: 127, signal: null, startError: error.message });
    });
    child.once("exit", (code, signal) => {
      // Whatever the function left running dies with its instance.
      killGroup();
      limit?.release();
      resolve({ code, signal });
    });
  });
  return {
    pid: child.pid,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    kill: killGroup,
  };
}
