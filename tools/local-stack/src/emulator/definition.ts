/**
 * The function the emulator serves, described by the container's environment as aws-lambda-rie reads it: there is
 * no package.json in an image, so name, memory, timeout and handler come from variables (with RIE's defaults), and
 * the rest of the definition from the one config schema's defaults.
 */
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { type FunctionDefinition, functionConfigSchema, RESERVED_ENV } from "@lambda-images/function-config";

/** aws-lambda-rie's defaults, which `docker run -p 9000:8080` users expect. */
export const RIE_DEFAULTS = {
  functionName: "function",
  memorySizeMb: 3008,
  timeoutSeconds: 300,
  taskRoot: "/var/task",
  runtimeDir: "/var/runtime",
} as const;

/** Where RIE looks for a bootstrap when it is given none, in order. */
const DEFAULT_BOOTSTRAPS = ["/var/task/bootstrap", "/opt/bootstrap", "/var/runtime/bootstrap"];

export class EmulatorConfigError extends Error {
  override readonly name = "EmulatorConfigError";
}

export interface RuntimeCommand {
  /** Absolute path of the program. */
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

export interface EmulatedFunction {
  readonly definition: FunctionDefinition;
  readonly command: RuntimeCommand;
  /** LAMBDA_RUNTIME_DIR as the runtime will see it. */
  readonly runtimeDir: string;
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, unit: string): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  if (!/^\d+$/.test(value)) {
    throw new EmulatorConfigError(`${name} must be a whole number of ${unit}, not "${value}".`);
  }
  return Number(value);
}

/** A program name as the shell would find it: a path as it is, a bare name on PATH. */
function locateProgram(program: string, env: NodeJS.ProcessEnv, cwd: string): string {
  if (program.includes("/")) return isAbsolute(program) ? program : resolve(cwd, program);
  for (const folder of (env.PATH ?? "").split(delimiter)) {
    if (folder === "") continue;
    const candidate = join(folder, program);
    if (existsSync(candidate)) return candidate;
  }
  throw new EmulatorConfigError(`The runtime command "${program}" is not on PATH (${env.PATH ?? "unset"}).`);
}

/** Throws, saying what to do, unless `file` is a program this process can run. */
export function requireExecutable(file: string): void {
  if (!existsSync(file)) {
    throw new EmulatorConfigError(
      `The runtime's bootstrap ${file} does not exist: give the emulator the command that starts the runtime ` +
        "(e.g. aws-lambda-rie /var/runtime/bootstrap), or add that file to the image.",
    );
  }
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new EmulatorConfigError(
      `The runtime's bootstrap ${file} is not executable by this user: chmod 0755 it in the image.`,
    );
  }
}

function runtimeCommand(command: readonly string[], env: NodeJS.ProcessEnv, cwd: string): RuntimeCommand {
  const [program, ...args] = command;
  if (program !== undefined) return { file: locateProgram(program, env, cwd), args, cwd };
  const found = DEFAULT_BOOTSTRAPS.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new EmulatorConfigError(
      `No bootstrap given and none found at ${DEFAULT_BOOTSTRAPS.join(", ")}: pass the command that starts the ` +
        "runtime, e.g. lambda-local emulate /var/runtime/bootstrap index.handler.",
    );
  }
  return { file: found, args: [], cwd: RIE_DEFAULTS.taskRoot };
}

/**
 * The handler, as RIE picks it: AWS_LAMBDA_FUNCTION_HANDLER, else _HANDLER, else the last argument when the
 * command has arguments (`aws-lambda-rie /usr/local/bin/npx aws-lambda-ric index.handler`).
 */
function handlerOf(env: NodeJS.ProcessEnv, command: readonly string[]): string {
  const handler =
    env.AWS_LAMBDA_FUNCTION_HANDLER || env._HANDLER || (command.length > 1 ? command.at(-1) : undefined);
  if (!handler) {
    throw new EmulatorConfigError(
      "No handler: set _HANDLER (the images' entry points set it from CMD, e.g. index.handler), or pass it as " +
        "the last argument after the bootstrap.",
    );
  }
  return handler;
}

/**
 * The container's variables the runtime gets as the function's own. Lambda's reserved ones come from the engine,
 * and so does TZ: AWS's bases set TZ=:/etc/localtime for the image, but Lambda runs every function in UTC.
 */
function functionEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !RESERVED_ENV.has(name) && name !== "TZ") environment[name] = value;
  }
  return environment;
}

/** Reads the emulated function from `env` (the container's environment) and the runtime's command line. */
export function emulatedFunction(
  env: NodeJS.ProcessEnv,
  command: readonly string[],
  cwd: string = process.cwd(),
): EmulatedFunction {
  const name = env.AWS_LAMBDA_FUNCTION_NAME || RIE_DEFAULTS.functionName;
  const memorySize = wholeNumber(env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", RIE_DEFAULTS.memorySizeMb, "MB");
  const timeout = wholeNumber(env, "AWS_LAMBDA_FUNCTION_TIMEOUT", RIE_DEFAULTS.timeoutSeconds, "seconds");
  const parsed = functionConfigSchema.safeParse({ memorySize, timeout });
  if (!parsed.success) {
    const variables: Readonly<Record<string, [string, number]>> = {
      memorySize: ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memorySize],
      timeout: ["AWS_LAMBDA_FUNCTION_TIMEOUT", timeout],
    };
    const problems = parsed.error.issues.map((issue) => {
      const [variable, value] = variables[String(issue.path[0])] ?? [issue.path.join("."), ""];
      return `${variable}=${value}: ${issue.message}`;
    });
    throw new EmulatorConfigError(`Invalid function settings: ${problems.join("; ")}.`);
  }
  const config = parsed.data;
  const runtime = runtimeCommand(command, env, cwd);
  const handler = handlerOf(env, command);
  const taskRoot = env.LAMBDA_TASK_ROOT || RIE_DEFAULTS.taskRoot;
  const definition: FunctionDefinition = {
    name,
    description: undefined,
    packageName: name,
    version: "$LATEST",
    dir: taskRoot,
    entry: runtime.file,
    handlerExport: handler.slice(handler.lastIndexOf(".") + 1),
    lambdaHandler: handler,
    distDir: taskRoot,
    bundle: runtime.file,
    runtime: config.runtime,
    strategy: config.strategy,
    memorySize: config.memorySize,
    timeout: config.timeout,
    architecture: config.architecture,
    routes: [],
    environment: functionEnvironment(env),
    logRetentionDays: config.logRetentionDays,
    async: config.async,
    build: config.build,
  };
  return { definition, command: runtime, runtimeDir: env.LAMBDA_RUNTIME_DIR || RIE_DEFAULTS.runtimeDir };
}
