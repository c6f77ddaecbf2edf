/** The engine of the local stack: what the front doors (Invoke API, HTTP API gateway, CLI) build on. */
export { createFunctionHost, DEFAULT_MAX_INSTANCES } from "./host.js";
export { LOCAL_ACCOUNT_ID } from "./identity.js";
