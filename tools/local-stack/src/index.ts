/**
 * @lambda-images/local-stack: run every function locally, faithful to real Lambda. `startStack` serves the Invoke
 * API and the HTTP API gateway in front of one engine host per function; `createFunctionHost` is the engine alone.
 */
export type {
  FunctionHost,
  HostOptions,
  InvokeOutcome,
  InvokeReport,
  InvokeRequest,
  RunnerKind,
  StreamCompletion,
} from "./contract.js";
export { LIMITS } from "./contract.js";
export { type EmulatorArgs, parseEmulatorArgs } from "./emulator/args.js";
export { type EmulatedFunction, emulatedFunction, RIE_DEFAULTS } from "./emulator/definition.js";
export { INVOCATIONS_PATH, type RunningEmulator, startEmulator } from "./emulator/emulator.js";
export { EMULATOR_BUNDLE } from "./emulator/paths.js";
export { createFunctionHost } from "./engine/index.js";
export {
  type ContainerRunnerOptions,
  createContainerRunner,
  removeContainer,
} from "./engine/runners/container.js";
export {
  CONTAINER_LABEL,
  CONTAINER_OWNER_LABEL,
  containerEnvironment,
} from "./engine/runners/docker-run.js";
export { buildHttpApiEvent, type HttpApiEventV2 } from "./front-doors/http-api/event.js";
export { createFunctionUrlListener, type FunctionUrlOptions } from "./front-doors/http-api/function-url.js";
export { type GatewayResponse, mapFunctionResult } from "./front-doors/http-api/response.js";
export {
  buildRouteTable,
  matchRoute,
  type RouteEntry,
  type RouteMatch,
} from "./front-doors/http-api/routes.js";
export {
  DEAD_LETTER_DIR,
  type DeadLetterReason,
  type DeadLetterRecord,
  DeadLetterStore,
} from "./front-doors/invoke-api/dead-letters.js";
export { EventQueue, type EventQueueStats } from "./front-doors/invoke-api/event-queue.js";
export type { EventQueueSettings } from "./front-doors/invoke-api/event-queue-settings.js";
export { RETRY_DELAY_ENV } from "./front-doors/invoke-api/event-retries.js";
export {
  createInvokeApi,
  type InvokeApi,
  type InvokeApiOptions,
  type StoppedEvents,
} from "./front-doors/invoke-api/server.js";
export {
  DEFAULT_FUNCTION_URL_PORT,
  DEFAULT_HTTP_PORT,
  DEFAULT_INVOKE_PORT,
  type HostFactory,
  type LocalStack,
  PortInUseError,
  type StackOptions,
  startStack,
} from "./stack.js";
