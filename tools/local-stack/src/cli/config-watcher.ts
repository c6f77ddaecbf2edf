/** `lambda-local dev`'s live config: what dev serves (DevState), kept in step with functions/ by ConfigWatcher. */
import { existsSync, type FSWatcher, readdirSync, watch } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { FunctionWatcher } from "@lambda-images/build";
import type { FunctionDefinition } from "@lambda-images/function-config";
import type { LocalStack } from "../stack.js";
import { changeLine, diffFunction } from "./config-diff.js";
import type { CliEnvironment } from "./environment.js";
import { scanFunctions } from "./function-scan.js";

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
export class ConfigWatcher {
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
export interface DevState {
  readonly watching: boolean;
  functions: ReadonlyMap<string, FunctionDefinition>;
  configErrors: ReadonlyMap<string, string>;
  readonly notBuilt: Map<string, string>;
  /** Functions with a build watcher. */
  readonly watched: Map<string, FunctionWatcher>;
}
