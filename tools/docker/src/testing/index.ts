/**
 * `@lambda-images/docker/testing`: test helpers for the registry and AWS side of publishing (the engine helpers,
 * used by the image tests of the functions too, are exported by the package's main entry).
 */
export { isolatedAwsEnvironment } from "./aws-environment.js";
export { type EcrCall, EcrStandIn } from "./ecr-stand-in.js";
export { importTestImage } from "./engine.js";
export { localRegistryForTests, putTestImage, TEST_REGISTRY_HOST, uniqueSuffix } from "./registry.js";
