/** The engine of the local stack: what the front doors (Invoke API, HTTP API gateway, CLI) build on. */
export {
  createFunctionHost,
  DEFAULT_MAX_INSTANCES,
  DEFAULT_MAX_QUEUE,
  RequestTooLargeError,
} from "./host.js";
export { functionArn, LOCAL_ACCOUNT_ID } from "./identity.js";
export { STREAM_LIMIT_BYTES } from "./instance.js";
