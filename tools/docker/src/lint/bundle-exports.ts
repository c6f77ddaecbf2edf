import { buildSync } from "esbuild";

/**
 * The names an ES module bundle exports, read by esbuild without running the bundle (so linting never executes
 * a function's init code).
 */
export function bundleExports(bundle: string): string[] {
  const result = buildSync({
    entryPoints: [bundle],
    bundle: false,
    write: false,
    metafile: true,
    format: "esm",
    platform: "node",
    outdir: "/lambda-image-lint-never-written",
    logLevel: "silent",
  });
  return Object.values(result.metafile.outputs).flatMap((output) => output.exports);
}
