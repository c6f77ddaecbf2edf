/** `@lambda-images/docker/publish`: what the deploy needs of publishing (the CDK app itself only needs ./records). */
export { type LocalImage, type PublishOptions, type PublishResult, publishFunction } from "./publish.js";
export {
  APP_NAME,
  contentTag,
  DIGEST_PATTERN,
  type DigestRecord,
  type DigestRecords,
  digestRecordSchema,
  PUBLISH_TARGETS,
  type PublishTarget,
  readDigestRecords,
  repositoryName,
  STAGE_PATTERN,
  STAGE_RULE,
  stageDeployDir,
  writeDigestRecord,
} from "./records.js";
export {
  AwsPreflightError,
  DEFAULT_LOCAL_REGISTRY,
  EcrRegistry,
  type ImageRegistry,
  LocalRegistry,
  MANIFEST_ACCEPT,
} from "./registries.js";
export { connectRegistry, resolveStage, resolveTarget } from "./target.js";
