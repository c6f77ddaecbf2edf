export { ImageBuilder, type ImageBuilderOptions } from "./build/builder.js";
export type { BuiltImage } from "./build/docker-build.js";
export { type BaseOverrides, overrideBuildArgs, parseBaseOverrides } from "./build/overrides.js";
export { checkEngine, type EngineInfo } from "./docker/engine.js";
export { type DockerIgnore, loadDockerIgnore, parseDockerIgnore } from "./dockerfile/dockerignore.js";
export { type ImageReference, parseImageReference, unpinnedReason } from "./dockerfile/image-ref.js";
export {
  baseImageArgs,
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
export { RULES } from "./lint/rules/index.js";
export { functionDockerfile, type LintTarget, shippedDockerfiles } from "./lint/targets.js";
export { buildLocalImage, type LocalBuild } from "./local/build-local.js";
export {
  assembleLocalTarget,
  LOCAL_TARGET_FOLDER,
  type LocalTargetContext,
  localImageTag,
} from "./local/local-target.js";
export { imageEnvironment, type RunningContainer, startContainer } from "./run/container.js";
export { runCli, USAGE } from "./run-cli.js";
