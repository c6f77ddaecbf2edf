/**
 * Runs a function image as Lambda runs it: its production entry point, the function's environment and the
 * variables Lambda sets, and AWS_LAMBDA_RUNTIME_API pointing at a Runtime API on this machine's loopback
 * (`docker run --network host`), or as a developer runs it: `-p PORT:8080` to an emulator inside the image.
 */
import { type FunctionDefinition, IMAGE_TASK_ROOT, lambdaEnvironment } from "@lambda-images/function-config";
import { docker, dockerOk } from "../docker/engine.js";

export interface RunningContainer {
  readonly id: string;
  /** Everything the container printed so far (stdout and stderr). */
  logs(): Promise<string>;
  /** The exit code once it stopped, or undefined while it runs. */
  exitCode(): Promise<number | undefined>;
  stop(): Promise<void>;
}

/**
 * The environment of a function's image under `docker run`: its Lambda environment (tools/function-config, with the
 * image's task root), plus the timeout an image's emulator reads (AWS's RIE and this project's alike).
 */
export function imageEnvironment(fn: FunctionDefinition): Record<string, string> {
  return {
    ...lambdaEnvironment(fn, { taskRoot: IMAGE_TASK_ROOT }),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(fn.timeout),
  };
}

export interface StartContainerOptions {
  readonly image: string;
  readonly environment: Readonly<Record<string, string>>;
  /** "127.0.0.1:PORT": runs on the host network against this Runtime API. */
  readonly runtimeApi?: string;
  /** Publishes the image's emulator port 8080 on 127.0.0.1:<port> instead. */
  readonly publishPort?: number;
  readonly name?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export async function startContainer(options: StartContainerOptions): Promise<RunningContainer> {
  const environment = { ...options.environment };
  const network: string[] = [];
  if (options.runtimeApi !== undefined) {
    environment.AWS_LAMBDA_RUNTIME_API = options.runtimeApi;
    network.push("--network", "host");
  } else if (options.publishPort !== undefined) {
    network.push("--publish", `127.0.0.1:${options.publishPort}:8080`);
  }
  const args = [
    "run",
    "--detach",
    ...(options.name ? ["--name", options.name] : []),
    ...network,
    ...Object.entries(environment).flatMap(([key, value]) => ["--env", `${key}=${value}`]),
    options.image,
  ];
  const env = options.env ?? process.env;
  const id = await dockerOk(args, { env });
  return {
    id,
    async logs() {
      const result = await docker(["logs", id], { env });
      return `${result.stdout}${result.stderr}`;
    },
    async exitCode() {
      const state = await docker(["inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", id], {
        env,
      });
      const [running, code] = state.stdout.trim().split(" ");
      return running === "false" ? Number(code) : undefined;
    },
    async stop() {
      await docker(["rm", "--force", id], { env });
    },
  };
}
