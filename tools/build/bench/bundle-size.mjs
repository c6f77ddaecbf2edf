#!/usr/bin/env node
/**
 * Bundle size of functions/hello (or the function named by the first argument): this tool's esbuild settings
 * against what CDK's NodejsFunction would bundle, twice: with its defaults (CommonJS, not minified, no source map,
 * @aws-sdk/* external), and with `minify: true` and `format: OutputFormat.ESM` (the fair comparison: the same
 * minification and module format as ours, so what is left is tree-shaking and what is external). Builds in memory,
 * writes nothing. Run: pnpm --filter @lambda-images/build bench
 */
import { gzipSync } from "node:zlib";
import { findFunction } from "@lambda-images/function-config";
import * as esbuild from "esbuild";
import { esbuildOptions, needsRequireBanner, nodeTarget } from "../dist/index.js";

const TARGET_RATIO = 0.5;
const fn = findFunction(process.argv[2] ?? "hello");

/** Bundle bytes (and its source map's, when there is one) for one set of esbuild options. */
async function measure(options) {
  const result = await esbuild.build(options);
  const outfile = options.outfile;
  let bundle = result.outputFiles.find((file) => file.path === outfile);
  if (options.format === "esm" && needsRequireBanner(result.metafile, bundle.text)) {
    const withBanner = await esbuild.build(esbuildOptions(fn, { requireBanner: true }));
    bundle = withBanner.outputFiles.find((file) => file.path === outfile);
  }
  const map = result.outputFiles.find((file) => file.path === `${outfile}.map`);
  return {
    bytes: bundle.contents.length,
    gzipBytes: gzipSync(bundle.contents).length,
    mapBytes: map?.contents.length ?? 0,
  };
}

const ours = await measure(esbuildOptions(fn));
/** NodejsFunction's esbuild settings: its defaults, or with the bundling options given. */
const cdkOptions = ({ minify = false, esm = false } = {}) => ({
  absWorkingDir: fn.dir,
  entryPoints: [fn.entry],
  outfile: `${fn.distDir}/index.${esm ? "mjs" : "js"}`,
  bundle: true,
  platform: "node",
  target: nodeTarget(fn),
  format: esm ? "esm" : "cjs",
  // NodejsFunction prefers a package's ESM entry when it bundles to ESM.
  ...(esm ? { mainFields: ["module", "main"] } : {}),
  minify,
  sourcemap: false,
  external: ["@aws-sdk/*"],
  metafile: true,
  write: false,
  logLevel: "silent",
});
const cdk = await measure(cdkOptions());
const cdkMinifiedEsm = await measure(cdkOptions({ minify: true, esm: true }));

const number = new Intl.NumberFormat("en-US");
const ratio = (a, b) => (a / b).toFixed(2);
const rows = [
  ["", "bytes", "gzip bytes", "source map"],
  ["lambda-build (esm, minified)", ours.bytes, ours.gzipBytes, ours.mapBytes],
  ["CDK NodejsFunction defaults (cjs)", cdk.bytes, cdk.gzipBytes, cdk.mapBytes],
  [
    "CDK NodejsFunction, minify + ESM",
    cdkMinifiedEsm.bytes,
    cdkMinifiedEsm.gzipBytes,
    cdkMinifiedEsm.mapBytes,
  ],
  ["ratio ours/CDK defaults", ratio(ours.bytes, cdk.bytes), ratio(ours.gzipBytes, cdk.gzipBytes), "-"],
  [
    "ratio ours/CDK minify + ESM",
    ratio(ours.bytes, cdkMinifiedEsm.bytes),
    ratio(ours.gzipBytes, cdkMinifiedEsm.gzipBytes),
    "-",
  ],
];
const cell = (value) => (typeof value === "number" ? number.format(value) : value);
const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(cell(row[column])).length)));
console.log(
  `Bundle size of functions/${fn.name} (${fn.entry.slice(fn.dir.length + 1)}), target ${nodeTarget(fn)}`,
);
for (const row of rows) {
  console.log(
    row
      .map((value, column) => String(cell(value))[column === 0 ? "padEnd" : "padStart"](widths[column]))
      .join("  "),
  );
}
const met = ours.bytes / cdk.bytes <= TARGET_RATIO;
console.log(
  `target: ours <= ${TARGET_RATIO}x CDK defaults' bytes: ${met ? "met" : "NOT met"} (${ratio(ours.bytes, cdk.bytes)}x); ` +
    `against CDK with minify + ESM: ${ratio(ours.bytes, cdkMinifiedEsm.bytes)}x (no target: the same settings, ` +
    "so only the source map, the require banner and what is external differ)",
);
