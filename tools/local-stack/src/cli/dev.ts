/**
 * `lambda-local dev`: every function behind the Invoke API and the HTTP API gateway; with watch mode (the
 * default) each function is rebuilt on change and its instances recycled, without restarting the stack.
 */
import { existsSync, type FSWatcher, readdirSync, readFileSync, watch } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { type BuildOutcome, type FunctionWatcher, watchFunction } from "@lambda-images/build";
import { type Colours, PLAIN } from "@lambda-images/cli";
import type { FunctionDefinition } from "@lambda-images/function-config";
import { changeLine, diffFunction } from "../config-diff.js";
import { InspectPorts } from "../engine/inspect.js";
import { DEAD_LETTER_DIR } from "../invoke-api/dead-letters.js";
import type { StoppedEvents } from "../invoke-api/server.js";
import { type LocalStack, PortInUseError, startStack } from "../stack.js";
import type { DevCommand } from "./args.js";
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
  configErrors: ReadonlyMap<string, string> = new Map(),
  colour: Colours = PLAIN,
): string {
  const width = Math.max(0, ...stack.routes.map((route) => route.routeKey.length));
  const routes = stack.routes.map((route) => `    ${route.routeKey.padEnd(width)}  -> ${route.functionName}`);
  const names = functions.map((fn) => fn.name).join(", ");
  return [
    `${colour.bold("lambda-local:")} ${functions.length} function${functions.length === 1 ? "" : "s"} (${names}), runtime ${command.runner}` +
      `${command.strategy === undefined ? "" : ` (${command.strategy} images)`}` +
      `${command.watch ? ", rebuilding on change" : ""}`,
    ...(command.runner === "container"
      ? [
          `  Images      ${command.strategy === undefined ? "each function's own strategy" : command.strategy}, as ` +
            "`pnpm image` recorded them in functions/<name>/.image/: run it again to run your changes",
        ]
      : []),
    "",
    `  Invoke API  ${colour.cyan(`${stack.invokeUrl}/2015-03-31/functions/{name}/invocations`)}`,
    `              ${colour.cyan(`${stack.invokeUrl}/2015-03-31/functions/function/invocations`)} -> ${stack.defaultFunction}`,
    ...(command.inspect === undefined
      ? []
      : [
          `  Debugger    ${command.inspect.functionName ?? "every function"}: node --inspect on 127.0.0.1, ` +
            `${command.inspect.basePort === 0 ? "ports node picks" : `port ${command.inspect.basePort} and up`}, one per ` +
            'instance, each printed as it starts; timeouts lifted. Attach: .vscode/launch.json "Attach to a function"',
        ]),
    `  HTTP API    ${colour.cyan(stack.httpUrl)}`,
    ...(routes.length > 0 ? routes : ['    (no routes: add "routes" to a function\'s lambda block)']),
    ...[...stack.functionUrls].map(([name, url]) => {
      const mode = functions.find((fn) => fn.name === name)?.functionUrl?.invokeMode ?? "BUFFERED";
      return `  Function URL ${colour.cyan(url)} -> ${name} (${mode})`;
    }),
    ...(notBuilt.size > 0
      ? [
          "",
          `  ${colour.yellow("Not built")}   ${command.watch ? "served as soon as it builds: fix it and save" : "invokes fail until it is built"}`,
          ...[...notBuilt].map(([name, error]) => `    ${name}: ${error}`),
        ]
      : []),
    ...(configErrors.size > 0
      ? [
          "",
          `  ${colour.yellow("Invalid config")}  not served${command.watch ? ': fix the "lambda" block and save' : ""}`,
          ...[...configErrors].map(([folder, error]) => `    functions/${folder}: ${error}`),
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

/** Watches one function: builds it, then rebuilds it on change; undefined when it cannot be watched (yet). */
async function watchOne(
  fn: FunctionDefinition,
  env: CliEnvironment,
  onRebuilt: (fn: FunctionDefinition) => Promise<void>,
  notBuilt: Map<string, string>,
): Promise<FunctionWatcher | undefined> {
  const log = (line: string) => env.stdout.write(`${line}\n`);
  let builds = 0;
  const onRebuild = async (outcome: BuildOutcome) => {
    builds++;
    const label = relative(env.workspaceRoot, fn.dir);
    if (!outcome.ok) {
      notBuilt.set(fn.name, buildErrorSummary(outcome.error.message, label));
      env.stderr.write(
        `${(env.colours?.err ?? PLAIN).red(`[build] ${label} failed`)} (fix it and save again):\n`,
      );
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
      `${(error as Error).message.split("\n")[0]} (served once its entry exists and builds)`,
    );
    env.stderr.write(
      `[build] ${(error as Error).message}\n[build] ${fn.name} is not watched; its invokes fail until it builds.\n`,
    );
    return undefined;
  }
}

/** "added (routes GET /a, GET /b; Function URL http://...)" for a function served from now on. */
function addedLine(fn: FunctionDefinition, stack: LocalStack): string {
  const parts = [
    ...(fn.routes.length > 0 ? [`routes ${fn.routes.map((route) => route.routeKey).join(", ")}`] : []),
    ...(stack.functionUrls.has(fn.name) ? [`Function URL ${stack.functionUrls.get(fn.name)}`] : []),
  ];
  return `[config] ${fn.name}: added${parts.length > 0 ? ` (${parts.join("; ")})` : ""}`;
}

/** The config error line: the function is not served until it is fixed. */
function invalidLine(folder: string, error: string): string {
  return `[config] functions/${folder}: invalid config, not served until it is fixed: ${error}`;
}

/**
 * Live config: watches functions/ (folders added and removed) and each function folder's package.json, and on
 * every change loads the configs again (config file -> loadFunction -> the stack's state), tells the stack, starts
 * or stops build watchers and prints one line per function that changed. Rescans never overlap: a change during a
 * rescan runs one more.
 */
class ConfigWatcher {
  readonly #folderWatchers = new Map<string, FSWatcher>();
  static readonly SETTLE_MS = 100;
  #settle: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(
    private readonly env: CliEnvironment,
    private readonly stack: LocalStack,
    private readonly state: DevState,
    private readonly startWatcher: (fn: FunctionDefinition) => Promise<void>,
    private readonly stopWatcher: (name: string) => Promise<void>,
  ) {
    this.#watch(join(env.workspaceRoot, "functions"), () => this.request());
    this.#watchFolders();
  }

  /** Resolves once every change seen so far has been applied. */
  idle(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  /**
   * A change was seen: rescan once the folder has been quiet for SETTLE_MS. Editors and generators write a
   * package.json in steps (truncate then write, or a temporary file then a rename); reading it between two steps
   * would report a half-written config as invalid and the function as removed and added again.
   */
  request(): void {
    if (this.#closed) return;
    clearTimeout(this.#settle);
    this.#settle = setTimeout(() => this.#start(), ConfigWatcher.SETTLE_MS);
  }

  #start(): void {
    this.#settle = undefined;
    if (this.#closed) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#settle);
    for (const watcher of this.#folderWatchers.values()) watcher.close();
    this.#folderWatchers.clear();
    await this.idle();
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.#rescan();
      } catch (error) {
        this.env.stderr.write(`[config] reloading the functions' config failed: ${(error as Error).stack}\n`);
      }
    } while (this.#again && !this.#closed);
    this.#running = undefined;
  }

  #watch(path: string, onChange: (file: string | null) => void): void {
    if (this.#folderWatchers.has(path) || !existsSync(path)) return;
    try {
      const watcher = watch(path, (_event, file) => onChange(file));
      watcher.on("error", () => {
        watcher.close();
        this.#folderWatchers.delete(path);
      });
      this.#folderWatchers.set(path, watcher);
    } catch {
      // Gone between the check and the watch: the parent's watcher reports it.
    }
  }

  /** A watcher on each function folder (its package.json), and on the source folder of a function not yet watched. */
  #watchFolders(): void {
    const functionsDir = join(this.env.workspaceRoot, "functions");
    const folders = existsSync(functionsDir)
      ? readdirSync(functionsDir, { withFileTypes: true }).filter((entry) => entry.isDirectory())
      : [];
    const wanted = new Set([functionsDir]);
    for (const folder of folders) {
      const dir = join(functionsDir, folder.name);
      wanted.add(dir);
      this.#watch(dir, (file) => {
        if (file === "package.json" || this.#unwatchedIn(dir)) this.request();
      });
    }
    for (const fn of this.state.functions.values()) {
      if (this.state.watched.has(fn.name)) continue;
      const src = dirname(fn.entry);
      wanted.add(src);
      this.#watch(src, () => this.request());
    }
    for (const [path, watcher] of this.#folderWatchers) {
      if (wanted.has(path)) continue;
      watcher.close();
      this.#folderWatchers.delete(path);
    }
  }

  #unwatchedIn(dir: string): boolean {
    return [...this.state.functions.values()].some(
      (fn) => fn.dir === dir && !this.state.watched.has(fn.name),
    );
  }

  async #rescan(): Promise<void> {
    const { state, stack } = this;
    const scan = scanFunctions(this.env.workspaceRoot, state.functions);
    const lines: string[] = [];
    for (const [folder, error] of scan.invalid) {
      if (state.configErrors.get(folder) !== error) lines.push(invalidLine(folder, error));
    }
    state.configErrors = new Map(scan.invalid);
    const next = new Map(scan.functions.map((fn) => [fn.name, fn]));
    const before = state.functions;
    for (const [name, fn] of before) {
      if (next.has(name)) continue;
      await this.stopWatcher(name);
      state.notBuilt.delete(name);
      if (!scan.invalid.has(basename(fn.dir))) lines.push(`[config] ${name}: removed`);
    }
    const added: FunctionDefinition[] = [];
    for (const fn of scan.functions) {
      const old = before.get(fn.name);
      if (old === undefined) {
        added.push(fn);
        if (this.state.watching) await this.startWatcher(fn);
        continue;
      }
      const changes = diffFunction(old, fn);
      if (changes.build && this.state.watching) {
        await this.stopWatcher(fn.name);
        await this.startWatcher(fn);
      } else if (this.state.watching && !state.watched.has(fn.name) && existsSync(fn.entry)) {
        await this.startWatcher(fn);
      }
      if (changes.descriptions.length > 0) lines.push(changeLine(fn.name, changes.descriptions));
    }
    await stack.update(scan.functions);
    state.functions = next;
    for (const fn of added) lines.push(addedLine(fn, stack));
    for (const fn of scan.functions) {
      const old = before.get(fn.name);
      if (old !== undefined && diffFunction(old, fn).functionUrl && stack.functionUrls.has(fn.name)) {
        lines.push(`[config] ${fn.name}: Function URL ${stack.functionUrls.get(fn.name)}`);
      }
    }
    if (!this.#closed) this.#watchFolders();
    for (const line of lines) this.env.stdout.write(`${line}\n`);
  }
}

/** What dev serves now; changed only by the config watcher's rescans. */
interface DevState {
  readonly watching: boolean;
  functions: ReadonlyMap<string, FunctionDefinition>;
  configErrors: ReadonlyMap<string, string>;
  readonly notBuilt: Map<string, string>;
  /** Functions with a build watcher. */
  readonly watched: Map<string, FunctionWatcher>;
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
