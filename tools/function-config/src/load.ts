import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { describeIssues, FunctionConfigError } from "./errors.js";
import type { Runtime } from "./runtimes.js";
import {
  type Architecture,
  type AsyncInvokeConfig,
  type BuildOptions,
  type FunctionUrlConfig,
  functionConfigSchema,
  type HttpMethod,
  type SqsTrigger,
  type Strategy,
} from "./schema.js";

export interface Route {
  /** "GET /hello" as written in the config and as API Gateway names it. */
  readonly routeKey: string;
  readonly method: HttpMethod;
  readonly path: string;
}

/** A function as every tool sees it: its validated config plus the paths and names derived from it. */
export interface FunctionDefinition {
  readonly name: string;
  readonly description: string | undefined;
  /** The workspace package name, e.g. "@lambda-images/hello". */
  readonly packageName: string;
  readonly version: string;
  /** Absolute path of the function folder. */
  readonly dir: string;
  /** Absolute path of the source entry. */
  readonly entry: string;
  /** The export name of the handler in the entry. */
  readonly handlerExport: string;
  /** Lambda's handler setting for the bundle: "index.handler". */
  readonly lambdaHandler: string;
  /** Absolute path of the build output folder, which is the task root. */
  readonly distDir: string;
  /** Absolute path of the bundle. */
  readonly bundle: string;
  /** The Lambda runtime (nodejs24.x, nodejs22.x): see runtimeInfo() for what it decides. */
  readonly runtime: Runtime;
  readonly strategy: Strategy;
  readonly memorySize: number;
  /** Seconds. */
  readonly timeout: number;
  readonly architecture: Architecture;
  readonly routes: readonly Route[];
  /** The SQS queue that triggers the function, when it has one (never together with routes). */
  readonly sqs?: SqsTrigger;
  /** The function's Function URL, when it has one (may sit beside routes). */
  readonly functionUrl?: FunctionUrlConfig;
  /** Retries and maximum event age of Event (asynchronous) invocations, every default filled in. */
  readonly async: AsyncInvokeConfig;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetentionDays: number;
  readonly build: BuildOptions;
}

/** The bundle file every function builds to, relative to the function folder. */
export const BUNDLE_FILE = "dist/index.mjs";

interface PackageJson {
  name?: unknown;
  version?: unknown;
  lambda?: unknown;
}

function readPackageJson(file: string): PackageJson {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new FunctionConfigError(file, [`cannot be read: ${(error as Error).message}`]);
  }
  try {
    return JSON.parse(text) as PackageJson;
  } catch (error) {
    throw new FunctionConfigError(file, [`is not valid JSON: ${(error as Error).message}`]);
  }
}

/** Rules across trigger fields that one field's schema cannot check. */
function triggerProblems(config: {
  routes: readonly string[];
  sqs?: SqsTrigger | undefined;
  functionUrl?: FunctionUrlConfig | undefined;
}): string[] {
  const problems: string[] = [];
  const { sqs } = config;
  if (sqs === undefined) return problems;
  if (config.routes.length > 0) {
    problems.push(
      "lambda.sqs and lambda.routes are both set: a queue worker answers batches of messages, not HTTP " +
        "requests. Keep one: move the routes to another function, or remove lambda.sqs.",
    );
  }
  if (config.functionUrl !== undefined) {
    problems.push(
      "lambda.sqs and lambda.functionUrl are both set: a queue worker answers batches of messages, not HTTP " +
        "requests. Keep one: put the Function URL on another function, or remove lambda.sqs.",
    );
  }
  if (sqs.batchSize > 10 && sqs.maxBatchingWindowSeconds < 1) {
    problems.push(
      `lambda.sqs.batchSize is ${sqs.batchSize}: above 10, Lambda requires a batching window. Set ` +
        "lambda.sqs.maxBatchingWindowSeconds to at least 1, or lower batchSize to 10 or less.",
    );
  }
  return problems;
}

/** Reads and validates the function in `dir` (a folder holding a package.json with a "lambda" block). */
export function loadFunction(dir: string): FunctionDefinition {
  const root = resolve(dir);
  const file = join(root, "package.json");
  const pkg = readPackageJson(file);
  if (pkg.lambda === undefined) {
    throw new FunctionConfigError(file, [
      'has no "lambda" block: add one (even {}) to make this folder a function',
    ]);
  }
  const parsed = functionConfigSchema.safeParse(pkg.lambda);
  if (!parsed.success) {
    throw new FunctionConfigError(file, describeIssues(parsed.error.issues));
  }
  const config = parsed.data;
  const problems: string[] = [];
  const name = config.name ?? basename(root);
  if (config.name === undefined && !/^[a-z][a-z0-9-]{0,47}$/.test(name)) {
    problems.push(
      `the folder name "${name}" is not a valid function name: rename the folder or set lambda.name (a-z, 0-9, '-')`,
    );
  }
  if (typeof pkg.name !== "string" || pkg.name.length === 0) problems.push('"name" is missing');
  if (typeof pkg.version !== "string" || pkg.version.length === 0) problems.push('"version" is missing');
  const seen = new Set<string>();
  for (const key of config.routes) {
    if (seen.has(key)) problems.push(`lambda.routes: "${key}" is listed twice`);
    seen.add(key);
  }
  problems.push(...triggerProblems(config));
  if (problems.length > 0) throw new FunctionConfigError(file, problems);

  return {
    name,
    description: config.description,
    packageName: pkg.name as string,
    version: pkg.version as string,
    dir: root,
    entry: join(root, config.entry),
    handlerExport: config.handler,
    lambdaHandler: `index.${config.handler}`,
    distDir: join(root, dirname(BUNDLE_FILE)),
    bundle: join(root, BUNDLE_FILE),
    runtime: config.runtime,
    strategy: config.strategy,
    memorySize: config.memorySize,
    timeout: config.timeout,
    architecture: config.architecture,
    routes: config.routes.map((routeKey) => {
      const [method, path] = routeKey.split(" ") as [HttpMethod, string];
      return { routeKey, method, path };
    }),
    ...(config.sqs === undefined ? {} : { sqs: config.sqs }),
    ...(config.functionUrl === undefined ? {} : { functionUrl: config.functionUrl }),
    async: config.async,
    environment: config.environment,
    logRetentionDays: config.logRetentionDays,
    build: config.build,
  };
}

/** Walks up from `from` to the folder holding pnpm-workspace.yaml. */
export function findWorkspaceRoot(from: string = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `No pnpm-workspace.yaml found in ${from} or any folder above it: run this from inside the workspace.`,
      );
    }
    dir = parent;
  }
}

/**
 * Every function in the workspace: each folder under functions/ whose package.json has a "lambda" block, sorted
 * by name. Fails with every problem at once when a config is invalid, two functions share a name, or two
 * functions claim the same route.
 */
export function discoverFunctions(workspaceRoot: string = findWorkspaceRoot()): FunctionDefinition[] {
  const functionsDir = join(workspaceRoot, "functions");
  if (!existsSync(functionsDir)) return [];
  const found: FunctionDefinition[] = [];
  const errors: string[] = [];
  for (const entry of readdirSync(functionsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const pkgFile = join(functionsDir, entry.name, "package.json");
    if (!existsSync(pkgFile)) continue;
    if (readPackageJson(pkgFile).lambda === undefined) continue;
    try {
      found.push(loadFunction(join(functionsDir, entry.name)));
    } catch (error) {
      if (!(error instanceof FunctionConfigError)) throw error;
      errors.push(error.message);
    }
  }
  found.sort((a, b) => a.name.localeCompare(b.name));
  const byName = new Map<string, FunctionDefinition>();
  const byRoute = new Map<string, FunctionDefinition>();
  for (const fn of found) {
    const twin = byName.get(fn.name);
    if (twin) errors.push(`Two functions are named "${fn.name}": ${twin.dir} and ${fn.dir}. Rename one.`);
    byName.set(fn.name, fn);
    for (const route of fn.routes) {
      const owner = byRoute.get(route.routeKey);
      if (owner) {
        errors.push(
          `Route "${route.routeKey}" is claimed by both "${owner.name}" and "${fn.name}": remove it from one.`,
        );
      }
      byRoute.set(route.routeKey, fn);
    }
  }
  if (errors.length > 0) throw new Error(errors.join("\n"));
  return found;
}

/** The function called `name`, or an error that lists the functions there are. */
export function findFunction(name: string, workspaceRoot: string = findWorkspaceRoot()): FunctionDefinition {
  const all = discoverFunctions(workspaceRoot);
  const fn = all.find((f) => f.name === name);
  if (!fn) {
    const known = all.map((f) => f.name).join(", ") || "none";
    throw new Error(`Unknown function "${name}". Functions in this workspace: ${known}.`);
  }
  return fn;
}
