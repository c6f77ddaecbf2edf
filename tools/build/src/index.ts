export {
  type BuildFunctionOptions,
  type BuildOutcome,
  buildFunction,
  type FunctionWatcher,
  METAFILE_NAME,
  resolvedEsbuildOptions,
  watchFunction,
} from "./build.js";
export { BuildError, functionLabel } from "./errors.js";
export { esbuildOptions, needsRequireBanner, nodeTarget, REQUIRE_BANNER } from "./esbuild-options.js";
export { type BuildReport, type BundleInput, formatBytes, formatReport, gzipSize } from "./report.js";
export { verifyHandler } from "./verify.js";
