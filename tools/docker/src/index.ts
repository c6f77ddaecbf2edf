export { type DockerIgnore, loadDockerIgnore, parseDockerIgnore } from "./dockerfile/dockerignore.js";
export { type ImageReference, parseImageReference, unpinnedReason } from "./dockerfile/image-ref.js";
export {
  finalStage,
  type ParsedDockerfile,
  type ParsedInstruction,
  type ParsedStage,
  parseDockerfile,
  parseDockerfileText,
} from "./dockerfile/parse.js";
export { type BaseImageDefinition, discoverBaseImages, loadBaseImage } from "./images/config.js";
export { type Finding, formatFinding } from "./lint/findings.js";
export { baseImageUsers, type LintOptions, lintTarget, lintWorkspace } from "./lint/lint.js";
export { RULES } from "./lint/rules.js";
export { type LintTarget, shippedDockerfiles } from "./lint/targets.js";
export { runCli, USAGE } from "./run-cli.js";
