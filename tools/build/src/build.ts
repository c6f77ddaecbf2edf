import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import type { FunctionDefinition } from "@lambda-images/function-config";
import * as esbuild from "esbuild";
import { BuildError, functionLabel } from "./errors.js";
import { bundleKey, esbuildOptions, needsRequireBanner } from "./esbuild-options.js";
import { type BuildReport, bundleInputs, gzipSize } from "./report.js";
import { verifyHandler } from "./verify.js";

/** esbuild's metafile, written next to the bundle. */
export const METAFILE_NAME = "meta.json";

export interface BuildFunctionOptions {
  /**
   * Import the built bundle in a fresh Node process and check the handler is a function (default true).
   * The export's presence is always checked, from the metafile.
   */
  readonly importCheck?: boolean;
}

export type BuildOutcome =
  | { readonly ok: true; readonly report: BuildReport }
  | { readonly ok: false; readonly error: BuildError };

function assertEntryExists(fn: FunctionDefinition): void {
  if (!existsSync(fn.entry)) {
    throw new BuildError(
      `${functionLabel(fn)}: entry ${relative(fn.dir, fn.entry)} does not exist; ` +
        "create it or set lambda.entry in package.json",
    );
  }
}

async function formatMessages(messages: esbuild.Message[], kind: "error" | "warning"): Promise<string[]> {
  const formatted = await esbuild.formatMessages(messages, { kind, color: false, terminalWidth: 100 });
  return formatted.map((text) => text.trimEnd());
}

async function compileError(fn: FunctionDefinition, errors: esbuild.Message[]): Promise<BuildError> {
  const details = await formatMessages(errors, "error");
  const count = errors.length === 1 ? "1 error" : `${errors.length} errors`;
  return new BuildError(`${functionLabel(fn)}: esbuild failed with ${count}:\n${details.join("\n\n")}`);
}

function isBuildFailure(error: unknown): error is esbuild.BuildFailure {
  return error instanceof Error && Array.isArray((error as Partial<esbuild.BuildFailure>).errors);
}

/** Runs esbuild once without writing; turns compile errors into a BuildError. */
async function bundleOnce(fn: FunctionDefinition, requireBanner: boolean): Promise<esbuild.BuildResult> {
  try {
    return await esbuild.build(esbuildOptions(fn, { requireBanner }));
  } catch (error) {
    if (isBuildFailure(error)) throw await compileError(fn, error.errors);
    throw error;
  }
}

interface BundleOutput {
  readonly result: esbuild.BuildResult & { metafile: esbuild.Metafile; outputFiles: esbuild.OutputFile[] };
  readonly requireBanner: boolean;
}

function completeResult(fn: FunctionDefinition, result: esbuild.BuildResult): BundleOutput["result"] {
  const { metafile, outputFiles } = result;
  if (metafile === undefined || outputFiles === undefined) {
    throw new Error(`${functionLabel(fn)}: esbuild returned no metafile or output files`);
  }
  return { ...result, metafile, outputFiles };
}

/** Adds the createRequire banner when the first result shows CommonJS code calling require() at run time. */
async function withRequireBannerIfNeeded(
  fn: FunctionDefinition,
  first: esbuild.BuildResult,
): Promise<BundleOutput> {
  const result = completeResult(fn, first);
  const bundle = result.outputFiles.find((file) => file.path === fn.bundle);
  if (!needsRequireBanner(result.metafile, bundle?.text ?? "")) return { result, requireBanner: false };
  return { result: completeResult(fn, await bundleOnce(fn, true)), requireBanner: true };
}

/**
 * The esbuild settings lambda-build ends up using for `fn` today: esbuildOptions(), with the createRequire banner
 * when the function's current inputs need it (decided as a build decides it, by bundling once without writing).
 * What a standalone copy of the function renders into its own build command.
 */
export async function resolvedEsbuildOptions(
  fn: FunctionDefinition,
): Promise<ReturnType<typeof esbuildOptions>> {
  assertEntryExists(fn);
  const { requireBanner } = await withRequireBannerIfNeeded(fn, await bundleOnce(fn, false));
  return esbuildOptions(fn, { requireBanner });
}

/**
 * Replaces dist/ with the bundle, its map and the metafile, so no stale file survives a build. Each file is
 * written beside its final name and renamed into place, so a runtime starting while a watch rebuild writes (the
 * local stack cold-starts on every config change) imports the old bundle or the new one, never a half-written file
 * or an empty folder.
 */
async function writeOutputs(fn: FunctionDefinition, { result }: BundleOutput): Promise<void> {
  const files = [
    ...result.outputFiles.map((file) => ({
      path: file.path,
      contents: file.contents as Uint8Array | string,
    })),
    { path: join(fn.distDir, METAFILE_NAME), contents: JSON.stringify(result.metafile) },
  ];
  const written = new Set(files.map((file) => file.path));
  for (const stale of await listFiles(fn.distDir)) {
    if (!written.has(stale)) await rm(stale, { force: true });
  }
  for (const file of files) {
    await mkdir(dirname(file.path), { recursive: true });
    const partial = `${file.path}.${process.pid}.partial`;
    await writeFile(partial, file.contents);
    await rename(partial, file.path);
  }
}

/** Every file under `dir` (none when it does not exist). */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => !entry.isDirectory()).map((entry) => join(entry.parentPath, entry.name));
}

async function finish(
  fn: FunctionDefinition,
  output: BundleOutput,
  startedAt: number,
  options: BuildFunctionOptions,
): Promise<BuildReport> {
  const { result, requireBanner } = output;
  const bundleFile = result.outputFiles.find((file) => file.path === fn.bundle);
  if (bundleFile === undefined) throw new Error(`${functionLabel(fn)}: esbuild did not produce ${fn.bundle}`);
  const mapFile = result.outputFiles.find((file) => file.path === `${fn.bundle}.map`);
  const exports = result.metafile.outputs[bundleKey(fn)]?.exports ?? [];

  await writeOutputs(fn, output);
  await verifyHandler(fn, exports, { importBundle: options.importCheck ?? true });

  return {
    name: fn.name,
    bundle: fn.bundle,
    bytes: bundleFile.contents.length,
    gzipBytes: gzipSize(bundleFile.contents),
    sourcemap: mapFile?.path,
    sourcemapBytes: mapFile?.contents.length ?? 0,
    metafile: join(fn.distDir, METAFILE_NAME),
    exports,
    lambdaHandler: fn.lambdaHandler,
    requireBanner,
    inputs: bundleInputs(result.metafile, bundleKey(fn)),
    warnings: await formatMessages(result.warnings, "warning"),
    durationMs: performance.now() - startedAt,
  };
}

/**
 * Bundles one function into dist/index.mjs (+ .map, meta.json) and checks its handler. Throws a BuildError for
 * anything the user can fix; dist/ is left empty when the build fails, so no stale bundle reaches an image.
 */
export async function buildFunction(
  fn: FunctionDefinition,
  options: BuildFunctionOptions = {},
): Promise<BuildReport> {
  const startedAt = performance.now();
  await rm(fn.distDir, { recursive: true, force: true });
  assertEntryExists(fn);
  try {
    const output = await withRequireBannerIfNeeded(fn, await bundleOnce(fn, false));
    return await finish(fn, output, startedAt, options);
  } catch (error) {
    await rm(fn.distDir, { recursive: true, force: true });
    throw error;
  }
}

/** Watch mode reports every failure and keeps going, so unexpected errors are reported the same way. */
function asBuildError(fn: FunctionDefinition, error: unknown): BuildError {
  if (error instanceof BuildError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BuildError(`${functionLabel(fn)}: build failed: ${message}`, { cause: error });
}

export interface FunctionWatcher {
  /** Stops watching. */
  dispose(): Promise<void>;
}

/**
 * Builds the function, then rebuilds it on every change to its inputs. `onRebuild` is called (and awaited)
 * after every build, the first one included, with the report or the error; errors never stop the watch.
 * Resolves once the first build has been reported.
 */
export async function watchFunction(
  fn: FunctionDefinition,
  onRebuild: (outcome: BuildOutcome) => void | Promise<void>,
  options: BuildFunctionOptions = {},
): Promise<FunctionWatcher> {
  assertEntryExists(fn);
  await rm(fn.distDir, { recursive: true, force: true });
  let startedAt = performance.now();
  let firstBuildReported: () => void = () => {};
  const firstBuild = new Promise<void>((resolve) => {
    firstBuildReported = resolve;
  });

  const report: esbuild.Plugin = {
    name: "lambda-build-report",
    setup(build) {
      build.onStart(() => {
        startedAt = performance.now();
      });
      build.onEnd(async (result) => {
        let outcome: BuildOutcome;
        try {
          if (result.errors.length > 0) throw await compileError(fn, result.errors);
          const output = await withRequireBannerIfNeeded(fn, result);
          outcome = { ok: true, report: await finish(fn, output, startedAt, options) };
        } catch (error) {
          outcome = { ok: false, error: asBuildError(fn, error) };
        }
        try {
          await onRebuild(outcome);
        } finally {
          firstBuildReported();
        }
      });
    },
  };

  const context = await esbuild.context({ ...esbuildOptions(fn), plugins: [report] });
  await context.watch();
  await firstBuild;
  return { dispose: () => context.dispose() };
}
