import { relative } from "node:path";
import { type FunctionDefinition, runtimeInfo } from "@lambda-images/function-config";
import type { BuildOptions as EsbuildOptions, Metafile } from "esbuild";

/** The Node.js version a function's bundle is compiled for: its runtime's major ("node24" for nodejs24.x). */
export function nodeTarget(fn: FunctionDefinition): string {
  return runtimeInfo(fn.runtime).esbuildTarget;
}

/**
 * Prepended (only) when a CommonJS dependency calls `require()` on something outside the bundle: ESM has no
 * `require`, so esbuild's shim would throw "Dynamic require of ... is not supported" at run time.
 */
export const REQUIRE_BANNER =
  'import { createRequire as topLevelCreateRequire } from "node:module";\n' +
  "const require = topLevelCreateRequire(import.meta.url);";

/** The metafile key of the bundle: esbuild names outputs relative to the function folder. */
export function bundleKey(fn: FunctionDefinition): string {
  return relative(fn.dir, fn.bundle);
}

/**
 * The esbuild settings every function is bundled with: one self-contained ESM file for its runtime's Node.js, minified and
 * tree-shaken, with a source map and a metafile. Only the function's own `lambda.build` block changes them.
 * Nothing is written to disk (`write: false`): the build step cleans `dist/` and writes the files itself.
 */
export function esbuildOptions(
  fn: FunctionDefinition,
  { requireBanner = false } = {},
): EsbuildOptions & {
  metafile: true;
  write: false;
} {
  return {
    absWorkingDir: fn.dir,
    entryPoints: [fn.entry],
    outfile: fn.bundle,
    bundle: true,
    platform: "node",
    target: nodeTarget(fn),
    format: "esm",
    // Prefer the ESM build of dual packages: it tree-shakes better and needs no require().
    mainFields: ["module", "main"],
    minify: fn.build.minify,
    treeShaking: true,
    sourcemap: fn.build.sourcemap,
    // Stack traces only need the mappings; the sources stay in the repository.
    sourcesContent: false,
    // Nothing is external unless the function says so: @aws-sdk/* is bundled, so the bundle runs on any image.
    external: [...fn.build.external],
    charset: "utf8",
    metafile: true,
    write: false,
    logLevel: "silent",
    ...(requireBanner ? { banner: { js: REQUIRE_BANNER } } : {}),
  };
}

/**
 * True when the bundle calls `require()` at run time: a CommonJS input requires a module left outside the
 * bundle (a Node built-in or a configured external), or esbuild kept a dynamic `require(...)` it could not
 * resolve. Either way it goes through esbuild's `__require` shim, which needs a real `require` in scope.
 */
export function needsRequireBanner(metafile: Metafile, bundleText: string): boolean {
  const externalRequire = Object.values(metafile.inputs).some((input) =>
    input.imports.some(
      (imported) =>
        imported.external === true &&
        (imported.kind === "require-call" || imported.kind === "require-resolve"),
    ),
  );
  return externalRequire || bundleText.includes('Dynamic require of "');
}
