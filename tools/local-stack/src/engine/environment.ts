import type { FunctionDefinition } from "@lambda-images/function-config";
import { logGroupName } from "./identity.js";

export interface EnvironmentInputs {
  readonly definition: FunctionDefinition;
  readonly region: string;
  /** `host:port` of the instance's Runtime API. */
  readonly runtimeApi: string;
  readonly runtimeDir: string;
  readonly logStreamName: string;
  readonly hostEnv?: NodeJS.ProcessEnv;
}

/** Host variables a runtime process may see: enough to find programs and configure Node, nothing else. */
const PASSED_THROUGH = ["PATH", "HOME", "LD_LIBRARY_PATH", "TMPDIR"];
const PASSED_THROUGH_PREFIXES = ["NODE_"];
/** Credentials Lambda hands the function (from its role); passed on only when the host has them. */
const CREDENTIALS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

/**
 * The complete environment of one instance, as Lambda builds it: a few unreserved defaults, then the function's
 * configured environment, then the reserved variables (which a function cannot override; the config schema
 * already rejects them).
 */
export function lambdaEnvironment(inputs: EnvironmentInputs): Record<string, string> {
  const { definition, region, runtimeApi, runtimeDir, logStreamName } = inputs;
  const hostEnv = inputs.hostEnv ?? process.env;
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(hostEnv)) {
    if (value === undefined) continue;
    if (PASSED_THROUGH.includes(name) || PASSED_THROUGH_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      environment[name] = value;
    }
  }
  environment.LANG = "en_US.UTF-8";
  environment.TZ = "UTC";
  Object.assign(environment, definition.environment);
  for (const name of CREDENTIALS) {
    const value = hostEnv[name];
    if (value) environment[name] = value;
  }
  Object.assign(environment, {
    _HANDLER: definition.lambdaHandler,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: definition.name,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memorySize),
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(definition.name),
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    LAMBDA_TASK_ROOT: definition.distDir,
    LAMBDA_RUNTIME_DIR: runtimeDir,
  });
  return environment;
}
