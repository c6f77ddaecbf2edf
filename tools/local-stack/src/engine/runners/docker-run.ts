/**
 * What an instance's container is, decided before anything runs: its environment, its `docker run` command line
 * (labelled, host network, the function's memory), and how the exit of `docker run` reads as the runtime's.
 * Pure: the container runner (container.ts) runs it.
 */
import { type FunctionDefinition, SOURCE_MAP_NODE_OPTIONS } from "@lambda-images/function-config";
import { execFormatProblem } from "./architecture.js";
import type { RuntimeExit } from "./runner.js";

/** Where every image keeps the function and the runtime (the Lambda layout all three strategies follow). */
const CONTAINER_TASK_ROOT = "/var/task";
export const CONTAINER_RUNTIME_DIR = "/var/runtime";
/** Every container the runner starts carries this label (value: the function name), e.g. for `docker ps --filter`. */
export const CONTAINER_LABEL = "org.lambda-images.local-stack.function";
/** And this one (value: the pid of the local stack that started it), which tells two stacks' containers apart. */
export const CONTAINER_OWNER_LABEL = "org.lambda-images.local-stack.pid";

/** Host variables the engine passes to host processes; an image has its own. */
const HOST_ONLY = new Set(["PATH", "HOME", "LD_LIBRARY_PATH", "TMPDIR"]);
const HOST_ONLY_PREFIXES = ["NODE_"];
/** Exit statuses `docker run` reports for a container whose main process died of a signal (128 + n). */
const SIGNAL_EXITS: Readonly<Record<number, NodeJS.Signals>> = {
  134: "SIGABRT",
  137: "SIGKILL",
  139: "SIGSEGV",
  143: "SIGTERM",
};
/** `docker run`'s own failure (the container never ran), as opposed to the container's exit status. */
const DOCKER_RUN_FAILED = 125;

/**
 * The container's environment: the engine's Lambda variables, with the image's own task root and runtime folder,
 * and without the host's PATH, HOME, LD_LIBRARY_PATH, TMPDIR and NODE_* (unless the function's config sets them).
 */
export function containerEnvironment(
  environment: Readonly<Record<string, string>>,
  definition: FunctionDefinition,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    const hostOnly = HOST_ONLY.has(name) || HOST_ONLY_PREFIXES.some((prefix) => name.startsWith(prefix));
    if (hostOnly && !Object.hasOwn(definition.environment, name)) continue;
    result[name] = value;
  }
  // Source maps on, as the deployed function's environment has them (the map ships in the image's dist/).
  if (!Object.hasOwn(definition.environment, "NODE_OPTIONS")) result.NODE_OPTIONS = SOURCE_MAP_NODE_OPTIONS;
  result.LAMBDA_TASK_ROOT = CONTAINER_TASK_ROOT;
  result.LAMBDA_RUNTIME_DIR = CONTAINER_RUNTIME_DIR;
  return result;
}

export interface DockerRunPlan {
  readonly args: readonly string[];
  /** The docker client's environment: the caller's, plus the values `--env NAME` takes from it. */
  readonly clientEnv: NodeJS.ProcessEnv;
}

/** Names whose value must not be put in the docker client's own environment (it reads them itself). */
function clientReads(name: string): boolean {
  return name.startsWith("DOCKER_") || HOST_ONLY.has(name);
}

/**
 * `docker run` for one instance. Values travel in the client's environment (`--env NAME`), not on its command
 * line, so credentials do not show in `ps`.
 */
export function dockerRunPlan(options: {
  readonly imageId: string;
  readonly containerName: string;
  readonly definition: FunctionDefinition;
  readonly environment: Readonly<Record<string, string>>;
  readonly dockerEnv: NodeJS.ProcessEnv;
}): DockerRunPlan {
  const { definition, environment } = options;
  const clientEnv: NodeJS.ProcessEnv = { ...options.dockerEnv };
  const envArgs: string[] = [];
  for (const [name, value] of Object.entries(environment)) {
    if (clientReads(name)) {
      envArgs.push("--env", `${name}=${value}`);
    } else {
      clientEnv[name] = value;
      envArgs.push("--env", name);
    }
  }
  const args = [
    "run",
    "--rm",
    "--name",
    options.containerName,
    "--network",
    "host",
    "--pull",
    "never",
    "--sig-proxy=false",
    // Lambda gives the function exactly its configured memory; past it the runtime is killed (signal: killed).
    "--memory",
    `${definition.memorySize}m`,
    "--label",
    `${CONTAINER_LABEL}=${definition.name}`,
    "--label",
    `${CONTAINER_OWNER_LABEL}=${process.pid}`,
    ...envArgs,
    options.imageId,
  ];
  return { args, clientEnv };
}

/** The image's platform and the engine's ("linux/amd64"), where known: they explain an exec format error. */
export interface ContainerPlatforms {
  readonly image: string | undefined;
  readonly engine: string | undefined;
}

/**
 * The exit of `docker run`, as the runtime's: 128 + n is the signal n the container's process died of. An entry
 * point the kernel cannot execute (an image for another processor, and no emulation) is a start error saying so.
 */
export function runtimeExitOf(
  code: number | null,
  signal: NodeJS.Signals | null,
  clientError: string | undefined,
  platforms: ContainerPlatforms = { image: undefined, engine: undefined },
): RuntimeExit {
  if (signal !== null) return { code: null, signal };
  const execFormat = code === 0 ? undefined : execFormatProblem(clientError, platforms);
  if (execFormat !== undefined) return { code, signal: null, startError: execFormat };
  if (code === DOCKER_RUN_FAILED) {
    return {
      code,
      signal: null,
      startError: clientError || "docker run failed before the container started",
    };
  }
  const fromSignal = code === null ? undefined : SIGNAL_EXITS[code];
  if (fromSignal !== undefined) return { code: null, signal: fromSignal };
  return { code, signal: null };
}
