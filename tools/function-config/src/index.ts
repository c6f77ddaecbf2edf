export { describeIssues, FunctionConfigError } from "./errors.js";
export {
  BUNDLE_FILE,
  discoverFunctions,
  type FunctionDefinition,
  findFunction,
  findWorkspaceRoot,
  loadFunction,
  type Route,
} from "./load.js";
export {
  ARCHITECTURES,
  type Architecture,
  type BuildOptions,
  type FunctionConfigBlock,
  type FunctionConfigInput,
  functionConfigSchema,
  HTTP_METHODS,
  type HttpMethod,
  RESERVED_ENV,
  STRATEGIES,
  type Strategy,
} from "./schema.js";
