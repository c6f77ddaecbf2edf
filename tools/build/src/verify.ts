import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { relative } from "node:path";
import {
  COMPILE_CACHE_ENV,
  compileCacheDir,
  type FunctionDefinition,
  lambdaEnvironment,
  managedRuntimeNodeFlags,
  SOURCE_MAP_NODE_OPTIONS,
} from "@lambda-images/function-config";
import { nodeBinary } from "@lambda-images/node-runtimes";
import { BuildError, functionLabel } from "./errors.js";

/** Imports the bundle the way Lambda does and prints what it finds as JSON: run with `node --input-type=module`. */
const IMPORT_PROBE = `
import { pathToFileURL } from "node:url";
const [file, name] = process.argv.slice(1);
let result;
try {
  const mod = await import(pathToFileURL(file).href);
  result = { imported: true, type: typeof mod[name] };
} catch (error) {
  const text = error instanceof Error ? (error.stack ?? String(error)) : String(error);
  result = { imported: false, error: text };
}
process.stdout.write(JSON.stringify(result), () => process.exit(0));
`;

const PROBE_TIMEOUT_MS = 30_000;

type ProbeResult = { imported: true; type: string } | { imported: false; error: string };

/** The environment the bundle is loaded with: this process's, then the function's Lambda environment. */
function probeEnvironment(fn: FunctionDefinition): NodeJS.ProcessEnv {
  return { ...process.env, ...lambdaEnvironment(fn) };
}

interface ProbeCommand {
  readonly node: string;
  readonly flags: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The probe runs where the local stack runs the function: on its runtime's Node.js, with the managed runtime's
 * flags, filling the function's compile cache (compileCacheDir) as it imports the bundle, so the local runners'
 * first start loads compiled code. Without that Node.js (not installed, not Linux), on this process's Node.js and
 * without a cache; without a writable cache folder, without a cache.
 */
function probeCommand(fn: FunctionDefinition): ProbeCommand {
  const env = probeEnvironment(fn);
  let node: string;
  try {
    node = nodeBinary(fn.runtime);
  } catch {
    return { node: process.execPath, flags: [SOURCE_MAP_NODE_OPTIONS], env };
  }
  const flags = [...managedRuntimeNodeFlags(fn.memorySize), SOURCE_MAP_NODE_OPTIONS];
  const cacheDir = compileCacheDir(fn.dir);
  try {
    mkdirSync(cacheDir, { recursive: true });
  } catch {
    return { node, flags, env };
  }
  return { node, flags, env: { ...env, [COMPILE_CACHE_ENV]: cacheDir } };
}

function probe(fn: FunctionDefinition): Promise<ProbeResult> {
  const command = probeCommand(fn);
  return new Promise((resolvePromise, reject) => {
    execFile(
      command.node,
      [...command.flags, "--input-type=module", "-e", IMPORT_PROBE, fn.bundle, fn.handlerExport],
      { cwd: fn.distDir, env: command.env, timeout: PROBE_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (stdout.length > 0) {
          try {
            resolvePromise(JSON.parse(stdout) as ProbeResult);
            return;
          } catch {
            // fall through: the module printed something of its own and never let the probe answer
          }
        }
        const reason = error?.killed
          ? `it did not finish loading within ${PROBE_TIMEOUT_MS / 1000} s`
          : `node exited with ${error?.code ?? "no result"}: ${stderr.trim() || stdout.trim()}`;
        reject(
          new BuildError(`${functionLabel(fn)}: could not import ${relative(fn.dir, fn.bundle)}: ${reason}`),
        );
      },
    );
  });
}

/** Stack frames of Node's module loader and of the probe itself: noise next to the function's own frames. */
const LOADER_FRAME = /^\s*at .*(node:internal\/|\[eval\d*\])/;

/** An import error without the loader's frames: the message and the function's own (source-mapped) frames. */
function summarizeStack(stack: string, frames = 5): string {
  const lines = stack.split("\n").filter((line) => !LOADER_FRAME.test(line));
  const messageLines = lines.filter((line) => !/^\s*at /.test(line));
  const frameLines = lines.filter((line) => /^\s*at /.test(line)).slice(0, frames);
  return [...messageLines, ...frameLines].map((line) => `  ${line.trim()}`).join("\n");
}

/**
 * Checks the configured handler export exists in the bundle (from the metafile's list of exports) and, when
 * `importBundle` is set, that importing the bundle in a fresh Node process works and yields a function.
 */
export async function verifyHandler(
  fn: FunctionDefinition,
  exports: readonly string[],
  { importBundle = true } = {},
): Promise<void> {
  const label = functionLabel(fn);
  const entry = relative(fn.dir, fn.entry);
  if (!exports.includes(fn.handlerExport)) {
    const has =
      exports.length === 0
        ? "it has no exports"
        : `its exports are: ${exports.map((name) => `"${name}"`).join(", ")}`;
    throw new BuildError(
      `${label}: ${entry} does not export the handler "${fn.handlerExport}"; ${has}. ` +
        `Export the handler as "${fn.handlerExport}" or set lambda.handler in package.json.`,
    );
  }
  if (!importBundle) return;
  const result = await probe(fn);
  if (!result.imported) {
    throw new BuildError(
      `${label}: importing ${relative(fn.dir, fn.bundle)} fails, so the function would fail to initialise ` +
        `in Lambda:\n${summarizeStack(result.error)}`,
    );
  }
  if (result.type !== "function") {
    throw new BuildError(
      `${label}: the export "${fn.handlerExport}" of ${entry} is ${article(result.type)}, not a function. ` +
        `Export the handler function as "${fn.handlerExport}".`,
    );
  }
}

function article(type: string): string {
  if (type === "undefined") return "undefined";
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
