/**
 * `@lambda-images/docker/testing`: test support, kept out of the package's main entry. The engine helpers (whether
 * the Docker tests run here, the base overrides and image builder they share) serve the image tests of every
 * package; the rest is for the registry and AWS side of publishing. Built from this folder, outside src/, on top
 * of the package's own entries (it imports them by name, as any other package would).
 */
export { isolatedAwsEnvironment } from "./aws-environment.js";
export {
  type BinaryScan,
  classifyBinaries,
  ELF_MACHINES,
  ELF_SCANNER,
  scanImageBinaries,
} from "./binaries.js";
export { localStackContainers } from "./containers.js";
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
export { firstAnswer, freePort, type HttpAnswer, INVOCATIONS_PATH, postInvoke } from "./invoke-http.js";
export { localRegistryForTests, putTestImage, TEST_REGISTRY_HOST, uniqueSuffix } from "./registry.js";
