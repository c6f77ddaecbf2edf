/** `@lambda-images/docker/testing`: test helpers for packages whose tests use the engine, the registry or AWS. */
export { isolatedAwsEnvironment } from "./aws-environment.js";
export { type EcrCall, EcrStandIn } from "./ecr-stand-in.js";
export {
  announceSkip,
  dockerAvailability,
  type EngineAvailability,
  IN_CI,
  imageBuilderForTests,
  importTestImage,
  overridesForTests,
} from "./engine.js";
export { localRegistryForTests, putTestImage, TEST_REGISTRY_HOST, uniqueSuffix } from "./registry.js";
