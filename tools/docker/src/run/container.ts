/**
 * Runs a function image as a developer runs it with `docker run` (the write-up's flow): `-p PORT:8080` to the
 * emulator inside the image, with the function's environment. Running an image as Lambda runs it, against a
 * Runtime API, is the local stack's container runner (`createFunctionHost(fn, { runner: "container" })`).
 */

import { docker, dockerOk } from "@lambda-images/docker-cli";
import { type FunctionDefinition, IMAGE_TASK_ROOT, lambdaEnvironment } from "@lambda-images/function-config";

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
  /** Publishes the image's emulator port 8080 on 127.0.0.1:<port> instead. */
  readonly publishPort?: number;
  readonly name?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export async function startContainer(options: StartContainerOptions): Promise<RunningContainer> {
  const environment = { ...options.environment };
  const network: string[] = [];
  if (options.publishPort !== undefined) {
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
