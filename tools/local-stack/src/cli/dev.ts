/**
 * `lambda-local dev`: every function behind the Invoke API and the HTTP API gateway; with watch mode (the
 * default) each function is rebuilt on change and its instances recycled, without restarting the stack.
 */
import { join, relative } from "node:path";
import type { FunctionDefinition } from "@lambda-images/function-config";
import { InspectPorts } from "../engine/inspect.js";
import { DEAD_LETTER_DIR } from "../front-doors/invoke-api/dead-letters.js";
import type { StoppedEvents } from "../front-doors/invoke-api/server.js";
import { type LocalStack, PortInUseError, startStack } from "../stack.js";
import type { DevCommand } from "./args.js";
import { banner } from "./banner.js";
import { watchOne } from "./build-watch.js";
import { ConfigWatcher, type DevState } from "./config-watcher.js";
import { type CliEnvironment, CliError, requireBuilds, retryDelaySetting } from "./environment.js";
import { type FunctionScan, scanFunctions } from "./function-scan.js";

export interface RunningDev {
  readonly stack: LocalStack;
  /** Stops everything; resolves with the Event invocations that were still queued (now dead letters). */
  stop(): Promise<StoppedEvents>;
}

/** The last line of `dev`: how many queued Event invocations the stop wrote to the dead-letter record, and where. */
export function stoppedMessage(stopped: StoppedEvents, workspaceRoot: string): string {
  if (stopped.total === 0) return "Stopped. No Event invocations were waiting.\n";
  const files = [...stopped.byFunction].map(
    ([name, { count, file }]) => `  ${name}: ${count} in ${relative(workspaceRoot, file) || file}`,
  );
  const example = [...stopped.byFunction.keys()][0] ?? "<function>";
  return (
    `Stopped. ${stopped.total} queued Event invocation${stopped.total === 1 ? " was" : "s were"} written to the ` +
    `dead-letter record (reason stack-stopped):\n${files.join("\n")}\n` +
    `Run them with: pnpm invoke ${example} --replay-dead-letters\n`
  );
}

/** Starts the stack (and the watchers) and returns once both ports are listening. */
export async function runDev(command: DevCommand, env: CliEnvironment): Promise<RunningDev> {
  let scan: FunctionScan;
  try {
    scan = scanFunctions(env.workspaceRoot);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const functions = [...scan.functions];
  if (functions.length === 0) {
    throw new CliError(
      scan.invalid.size > 0
        ? `No function can be served: ${[...scan.invalid].map(([folder, error]) => `functions/${folder}: ${error}`).join("; ")}`
        : `No functions found under ${env.workspaceRoot}/functions: add a folder with a "lambda" block in its package.json.`,
    );
  }
  if (command.defaultFunction !== undefined && !functions.some((fn) => fn.name === command.defaultFunction)) {
    throw new CliError(
      `Unknown function "${command.defaultFunction}" for --default-function. Functions in this workspace: ` +
        `${functions.map((fn) => fn.name).join(", ")}.`,
    );
  }
  const inspected = command.inspect?.functionName;
  if (inspected !== undefined && !functions.some((fn) => fn.name === inspected)) {
    throw new CliError(
      `Unknown function "${inspected}" for --inspect. Functions in this workspace: ` +
        `${functions.map((fn) => fn.name).join(", ")}.`,
    );
  }
  if (!command.watch && command.runner !== "container") requireBuilds(functions, env.workspaceRoot);
  const retryDelayMs = retryDelaySetting(process.env);

  let stack: LocalStack | undefined;
  const state: DevState = {
    watching: command.watch,
    functions: new Map(functions.map((fn) => [fn.name, fn])),
    configErrors: new Map(scan.invalid),
    notBuilt: new Map(),
    watched: new Map(),
  };
  const onRebuilt = async (fn: FunctionDefinition) => {
    await stack?.recycle(fn.name);
  };
  const startWatcher = async (fn: FunctionDefinition) => {
    const watcher = await watchOne(fn, env, onRebuilt, state.notBuilt);
    if (watcher !== undefined) state.watched.set(fn.name, watcher);
  };
  const stopWatcher = async (name: string) => {
    const watcher = state.watched.get(name);
    state.watched.delete(name);
    await watcher?.dispose();
  };
  const disposeWatchers = () => Promise.all([...state.watched.keys()].map(stopWatcher));
  if (command.watch) await Promise.all(functions.map(startWatcher));
  try {
    stack = await startStack({
      functions,
      createHost: env.createHost,
      hostOptions: {
        runner: command.runner,
        ...(command.strategy === undefined ? {} : { strategy: command.strategy }),
        ...(command.maxInstances === undefined ? {} : { maxInstances: command.maxInstances }),
        logSink: (line) => env.stdout.write(line.endsWith("\n") ? line : `${line}\n`),
        ...(command.inspect === undefined
          ? {}
          : {
              inspect: {
                ports: new InspectPorts(command.inspect.basePort),
                functionName: command.inspect.functionName,
              },
            }),
      },
      invokePort: command.invokePort,
      httpPort: command.httpPort,
      functionUrlPort: command.functionUrlPort,
      bindAddress: command.bindAddress,
      ...(command.defaultFunction === undefined ? {} : { defaultFunction: command.defaultFunction }),
      log: (line) => env.stdout.write(`${line}\n`),
      asyncInvoke: {
        deadLetterDir: join(env.workspaceRoot, DEAD_LETTER_DIR),
        ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
      },
    });
  } catch (error) {
    await disposeWatchers();
    throw error instanceof PortInUseError ? new CliError(error.message) : error;
  }
  const running = stack;
  const config = command.watch
    ? new ConfigWatcher(env, running, state, startWatcher, stopWatcher)
    : undefined;
  env.stdout.write(
    `\n${banner(running, command, functions, env.cwd, state.notBuilt, state.configErrors, env.colours?.out)}`,
  );
  return {
    stack: running,
    async stop() {
      await config?.close();
      await disposeWatchers();
      return running.close();
    },
  };
}
