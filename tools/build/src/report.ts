import { gzipSync } from "node:zlib";
import type { Metafile } from "esbuild";

/** One source file's share of the bundle, from esbuild's metafile. */
export interface BundleInput {
  /** Package-relative for dependencies ("@aws-lambda-powertools/logger/lib/esm/Logger.js"), else as esbuild names it. */
  readonly path: string;
  /** Bytes this input contributes to the bundle (after tree shaking and minification). */
  readonly bytes: number;
}

/** What one successful build produced. */
export interface BuildReport {
  /** The function's name. */
  readonly name: string;
  /** Absolute path of dist/index.mjs. */
  readonly bundle: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Absolute path of the source map, when the function builds one. */
  readonly sourcemap: string | undefined;
  readonly sourcemapBytes: number;
  /** Absolute path of dist/meta.json (esbuild's metafile). */
  readonly metafile: string;
  /** The bundle's exports, from the metafile. */
  readonly exports: readonly string[];
  /** Lambda's handler setting, "index.handler"; the export was checked to exist (and to be a function). */
  readonly lambdaHandler: string;
  /** Whether the createRequire banner was added because CommonJS code calls require() at run time. */
  readonly requireBanner: boolean;
  /** Every input, largest first. */
  readonly inputs: readonly BundleInput[];
  /** esbuild warnings, formatted. */
  readonly warnings: readonly string[];
  readonly durationMs: number;
}

export function gzipSize(contents: Uint8Array): number {
  return gzipSync(contents).length;
}

/** "../../node_modules/.pnpm/x@1/node_modules/x/lib/a.js" becomes "x/lib/a.js". */
export function displayInputPath(path: string): string {
  const marker = "node_modules/";
  const at = path.lastIndexOf(marker);
  return at === -1 ? path : path.slice(at + marker.length);
}

/** The inputs of one output, largest first. */
export function bundleInputs(metafile: Metafile, outputKey: string): BundleInput[] {
  const output = metafile.outputs[outputKey];
  if (output === undefined) return [];
  return Object.entries(output.inputs)
    .map(([path, { bytesInOutput }]) => ({ path: displayInputPath(path), bytes: bytesInOutput }))
    .filter((input) => input.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
}

const numberFormat = new Intl.NumberFormat("en-US");

/** "24,879 B (24.3 KiB)". */
export function formatBytes(bytes: number): string {
  const exact = `${numberFormat.format(bytes)} B`;
  return bytes < 1024 ? exact : `${exact} (${(bytes / 1024).toFixed(1)} KiB)`;
}

/** The size report the CLI prints after each build. */
export function formatReport(
  report: BuildReport,
  { dir, topInputs = 5 }: { dir: string; topInputs?: number },
) {
  const rel = (path: string) => (path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : path);
  const lines = [
    `${report.name}: built ${rel(report.bundle)} in ${Math.round(report.durationMs)} ms, handler ${report.lambdaHandler}`,
    `  bundle    ${formatBytes(report.bytes)}, gzip ${formatBytes(report.gzipBytes)}`,
  ];
  if (report.sourcemap !== undefined) {
    lines.push(`  map       ${rel(report.sourcemap)}, ${formatBytes(report.sourcemapBytes)}`);
  }
  lines.push(`  metafile  ${rel(report.metafile)}`);
  if (report.requireBanner) {
    lines.push("  banner    createRequire added: CommonJS code in the bundle calls require()");
  }
  const top = report.inputs.slice(0, topInputs);
  if (top.length > 0) {
    lines.push(`  top ${top.length} of ${report.inputs.length} inputs:`);
    const width = Math.max(...top.map((input) => numberFormat.format(input.bytes).length));
    for (const input of top) {
      const share = report.bytes > 0 ? ((100 * input.bytes) / report.bytes).toFixed(1) : "0.0";
      lines.push(
        `    ${numberFormat.format(input.bytes).padStart(width)} B  ${share.padStart(5)}%  ${input.path}`,
      );
    }
  }
  for (const warning of report.warnings) lines.push(`  warning: ${warning}`);
  return lines.join("\n");
}
