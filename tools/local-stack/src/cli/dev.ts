/**
 * `lambda-local dev`: every function behind the Invoke API and the HTTP API gateway; with watch mode (the
 * default) each function is rebuilt on change and its instances recycled, without restarting the stack.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { type BuildOutcome, type FunctionWatcher, watchFunction } from "@lambda-images/build";
import { discoverFunctions, type FunctionDefinition } from "@lambda-images/function-config";
import { DEAD_LETTER_DIR } from "../invoke-api/dead-letters.js";
import type { StoppedEvents } from "../invoke-api/server.js";
import { type LocalStack, PortInUseError, startStack } from "../stack.js";
import type { DevCommand } from "./args.js";
import { type CliEnvironment, CliError, requireBuilds, retryDelaySetting } from "./environment.js";

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

function formatKb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

interface ExampleEvent {
  readonly file: string;
  readonly event: { routeKey?: unknown; rawPath?: unknown; rawQueryString?: unknown };
}

/** The event the banner's examples send: the function's events/<name>.json, else its first event file. */
function exampleEvent(fn: FunctionDefinition): ExampleEvent | undefined {
  const folder = join(fn.dir, "events");
  if (!existsSync(folder)) return undefined;
  const files = readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .sort();
  const name = files.includes(`${fn.name}.json`) ? `${fn.name}.json` : files[0];
  if (name === undefined) return undefined;
  try {
    const event = JSON.parse(readFileSync(join(folder, name), "utf8"));
    return typeof event === "object" && event !== null ? { file: join(folder, name), event } : undefined;
  } catch {
    return undefined;
  }
}

/** The "Try:" commands: each one answers 2xx when pasted into a shell in `cwd`. */
function tryCommands(stack: LocalStack, functions: readonly FunctionDefinition[], cwd: string): string[] {
  const invocations = `${stack.invokeUrl}/2015-03-31/functions/function/invocations`;
  const defaultFn = functions.find((fn) => fn.name === stack.defaultFunction);
  const own = defaultFn && exampleEvent(defaultFn);
  const commands = [`curl "${invocations}" -d ${own ? `@${relative(cwd, own.file)}` : "'{}'"}`];
  // Through the HTTP API: a GET route with a recorded HTTP API event (its query string too), else a plain GET.
  const withEvents = [...(defaultFn ? [defaultFn] : []), ...functions.filter((fn) => fn !== defaultFn)];
  for (const fn of withEvents) {
    const { event } = (fn === defaultFn ? own : exampleEvent(fn)) ?? {};
    const route = stack.routes.find(
      (entry) =>
        entry.method === "GET" && entry.routeKey === event?.routeKey && entry.functionName === fn.name,
    );
    if (route && typeof event?.rawPath === "string") {
      const query =
        typeof event.rawQueryString === "string" && event.rawQueryString ? `?${event.rawQueryString}` : "";
      return [...commands, `curl "${stack.httpUrl}${event.rawPath}${query}"`];
    }
  }
  const plain = stack.routes.find((route) => route.method === "GET" && !route.path.includes("{"));
  return plain ? [...commands, `curl "${stack.httpUrl}${plain.path}"`] : commands;
}

/**
 * One line for a build error in the banner: "functions/x/src/index.ts:1:38: Unexpected ..." from esbuild's
 * formatted message, else the message's first line. The whole error was printed when the build failed.
 */
export function buildErrorSummary(message: string, fnFolder: string): string {
  const lines = message.split("\n");
  const error = lines.find((line) => line.includes("[ERROR]"))?.replace(/^.*\[ERROR\]\s*/, "");
  const where = lines.map((line) => line.trim()).find((line) => /^\S+:\d+:\d+:$/.test(line));
  if (error !== undefined && where !== undefined) {
    return `${where.startsWith("/") ? where : `${fnFolder}/${where}`} ${error}`;
  }
  return lines.find((line) => line.trim() !== "")?.trim() ?? message;
}

/** The startup banner: URLs, the default function, every route, and commands to try (run from `cwd`). */
export function banner(
  stack: LocalStack,
  command: DevCommand,
  functions: readonly FunctionDefinition[],
  cwd: string,
  notBuilt: ReadonlyMap<string, string> = new Map(),
): string {
  const width = Math.max(0, ...stack.routes.map((route) => route.routeKey.length));
  const routes = stack.routes.map((route) => `    ${route.routeKey.padEnd(width)}  -> ${route.functionName}`);
  const names = functions.map((fn) => fn.name).join(", ");
  return [
    `lambda-local: ${functions.length} function${functions.length === 1 ? "" : "s"} (${names}), runtime ${command.runner}` +
      `${command.strategy === undefined ? "" : ` (${command.strategy} images)`}` +
      `${command.watch ? ", rebuilding on change" : ""}`,
    ...(command.runner === "container"
      ? [
          `  Images      ${command.strategy === undefined ? "each function's own strategy" : command.strategy}, as ` +
            "`pnpm image` recorded them in functions/<name>/.image/: run it again to run your changes",
        ]
      : []),
    "",
    `  Invoke API  ${stack.invokeUrl}/2015-03-31/functions/{name}/invocations`,
    `              ${stack.invokeUrl}/2015-03-31/functions/function/invocations -> ${stack.defaultFunction}`,
    `  HTTP API    ${stack.httpUrl}`,
    ...(routes.length > 0 ? routes : ['    (no routes: add "routes" to a function\'s lambda block)']),
    ...[...stack.functionUrls].map(([name, url]) => {
      const mode = functions.find((fn) => fn.name === name)?.functionUrl?.invokeMode ?? "BUFFERED";
      return `  Function URL ${url} -> ${name} (${mode})`;
    }),
    ...(notBuilt.size > 0
      ? [
          "",
          `  Not built   ${command.watch ? "served as soon as it builds: fix it and save" : "invokes fail until it is built"}`,
          ...[...notBuilt].map(([name, error]) => `    ${name}: ${error}`),
        ]
      : []),
    "",
    "  Try:",
    ...tryCommands(stack, functions, cwd).map((line) => `    ${line}`),
    "",
    "Press Ctrl+C to stop.",
    "",
  ].join("\n");
}

/**
 * Watches every function. `notBuilt` holds, by name, a one-line error for each function whose last build failed
 * (or that cannot be watched), for the banner; a function leaves it when it builds.
 */
async function watchAll(
  functions: readonly FunctionDefinition[],
  env: CliEnvironment,
  onRebuilt: (fn: FunctionDefinition) => Promise<void>,
  notBuilt: Map<string, string>,
): Promise<FunctionWatcher[]> {
  const log = (line: string) => env.stdout.write(`${line}\n`);
  return Promise.all(
    functions.map(async (fn) => {
      let builds = 0;
      const onRebuild = async (outcome: BuildOutcome) => {
        builds++;
        const label = relative(env.workspaceRoot, fn.dir);
        if (!outcome.ok) {
          notBuilt.set(fn.name, buildErrorSummary(outcome.error.message, label));
          env.stderr.write(`[build] ${label} failed (fix it and save again):\n`);
          env.stderr.write(`${outcome.error.message}\n`);
          return;
        }
        notBuilt.delete(fn.name);
        const { bytes, durationMs } = outcome.report;
        log(
          `[build] ${label}: ${formatKb(bytes)} in ${durationMs.toFixed(0)} ms${builds > 1 ? ", reloaded" : ""}`,
        );
        if (builds > 1) await onRebuilt(fn);
      };
      try {
        return await watchFunction(fn, onRebuild);
      } catch (error) {
        // One broken function (say, a folder still being written) must not take the others down.
        notBuilt.set(
          fn.name,
          `${(error as Error).message.split("\n")[0]} (not watched: restart to serve it)`,
        );
        env.stderr.write(
          `[build] ${(error as Error).message}\n[build] ${fn.name} is not watched; its invokes fail until it builds.\n`,
        );
        return undefined;
      }
    }),
  ).then((watchers) => watchers.filter((watcher) => watcher !== undefined));
}

/** Starts the stack (and the watchers) and returns once both ports are listening. */
export async function runDev(command: DevCommand, env: CliEnvironment): Promise<RunningDev> {
  let functions: FunctionDefinition[];
  try {
    functions = discoverFunctions(env.workspaceRoot);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  if (functions.length === 0) {
    throw new CliError(
      `No functions found under ${env.workspaceRoot}/functions: add a folder with a "lambda" block in its package.json.`,
    );
  }
  if (command.defaultFunction !== undefined && !functions.some((fn) => fn.name === command.defaultFunction)) {
    throw new CliError(
      `Unknown function "${command.defaultFunction}" for --default-function. Functions in this workspace: ` +
        `${functions.map((fn) => fn.name).join(", ")}.`,
    );
  }
  if (!command.watch && command.runner !== "container") requireBuilds(functions, env.workspaceRoot);
  const retryDelayMs = retryDelaySetting(process.env);

  let stack: LocalStack | undefined;
  const notBuilt = new Map<string, string>();
  const watchers = command.watch
    ? await watchAll(
        functions,
        env,
        async (fn) => {
          await stack?.recycle(fn.name);
        },
        notBuilt,
      )
    : [];
  try {
    stack = await startStack({
      functions,
      createHost: env.createHost,
      hostOptions: {
        runner: command.runner,
        ...(command.strategy === undefined ? {} : { strategy: command.strategy }),
        ...(command.maxInstances === undefined ? {} : { maxInstances: command.maxInstances }),
        logSink: (line) => env.stdout.write(line.endsWith("\n") ? line : `${line}\n`),
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
    await Promise.all(watchers.map((watcher) => watcher.dispose()));
    throw error instanceof PortInUseError ? new CliError(error.message) : error;
  }
  const running = stack;
  env.stdout.write(`\n${banner(running, command, functions, env.cwd, notBuilt)}`);
  return {
    stack: running,
    async stop() {
      await Promise.all(watchers.map((watcher) => watcher.dispose()));
      return running.close();
    },
  };
}
