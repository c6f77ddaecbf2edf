import { type FunctionDefinition, lambdaEnvironment } from "@lambda-images/function-config";

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
 * The complete environment of one instance, as Lambda builds it: what the host passes through (to find programs
 * and configure Node), then the function's Lambda environment (tools/function-config: defaults, the function's own
 * variables, the reserved ones), the host's credentials, and this instance's Runtime API and runtime folder.
 */
export function instanceEnvironment(inputs: EnvironmentInputs): Record<string, string> {
  const { definition, region, runtimeApi, runtimeDir, logStreamName } = inputs;
  const hostEnv = inputs.hostEnv ?? process.env;
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(hostEnv)) {
    if (value === undefined) continue;
    if (PASSED_THROUGH.includes(name) || PASSED_THROUGH_PREFIXES.some((prefix) => name.startsWith(prefix))) {
      environment[name] = value;
    }
  }
  Object.assign(environment, lambdaEnvironment(definition, { region, logStreamName }));
  for (const name of CREDENTIALS) {
    const value = hostEnv[name];
    if (value) environment[name] = value;
  }
  environment.AWS_LAMBDA_RUNTIME_API = runtimeApi;
  environment.LAMBDA_RUNTIME_DIR = runtimeDir;
  return environment;
}
