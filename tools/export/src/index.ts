export { esbuildArgs, esbuildCommand, shellWord } from "./build-command.js";
export { BASE_STAGE_PREFIX, type RenderedDockerfile, renderDockerfile } from "./dockerfile.js";
export {
  ABOUT_FILE,
  ExportError,
  type ExportOptions,
  type ExportReport,
  exportFunction,
  REPLACED_PACKAGES,
  SUPPORT_DIR,
} from "./export.js";
export { formatSummary, runCli, USAGE } from "./run-cli.js";
export { loadWorkspace, resolveSpec, type Workspace } from "./workspace.js";
