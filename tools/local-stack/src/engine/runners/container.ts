/**
 * Runs an instance from the function's container image, the one `lambda-image build` recorded for the strategy:
 * `docker run --rm --network host` with the engine's Lambda variables and `AWS_LAMBDA_RUNTIME_API` pointing at the
 * instance's Runtime API on 127.0.0.1, so the image's own entry point and Runtime Interface Client serve the
 * invokes. The engine treats it like any runtime process: its output is the `docker run` client's, its exit is the
 * container's, `kill` is `docker rm --force`, and its memory is read from the container's main process.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import {
  type DockerResult,
  DockerUnavailableError,
  docker,
  dockerSync,
  engineNotAnswering,
  failureReason,
  inspectImage,
  spawnDocker,
} from "@lambda-images/docker-cli";
import {
  type FunctionDefinition,
  imageBuildHint,
  readImageRecord,
  type Strategy,
} from "@lambda-images/function-config";
import {
  CONTAINER_RUNTIME_DIR,
  type ContainerPlatforms,
  containerEnvironment,
  type DockerRunPlan,
  dockerRunPlan,
  runtimeExitOf,
} from "./docker-run.js";
import type { Runner, RuntimeExit, RuntimeProcess, SpawnRequest } from "./runner.js";

export interface ContainerRunnerOptions {
  /** Which of the function's images to run (default: the function's `strategy`). */
  readonly strategy?: Strategy;
  /** An image to run (a tag or an id) instead of the recorded one, e.g. one built outside `lambda-image`. */
  readonly image?: string;
  /** The docker client's environment (DOCKER_HOST, DOCKER_CONFIG, PATH); default: this process's. */
  readonly dockerEnv?: NodeJS.ProcessEnv;
}

const PID_POLL_MS = 50;
const KILL_RETRY_MS = 100;
const KILL_ATTEMPTS = 50;
/** How long a docker call may wait for the engine: one that stopped answering must not hold the runner. */
const CALL_TIMEOUT_MS = 15_000;
const CHECK_TIMEOUT_MS = 20_000;

/** A quick docker call (inspect, rm): whether it exited 0, and what it printed (or why it did not finish). */
async function dockerCall(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ok: boolean; output: string }> {
  try {
    const result = await docker(args, { env, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    return { ok: result.code === 0, output: `${result.stdout}${result.stderr}`.trim() };
  } catch (error) {
    return { ok: false, output: (error as Error).message };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The CLI's own answer (no CLI, no engine), with the runner that needs neither. */
function needsDocker(error: DockerUnavailableError): DockerUnavailableError {
  return new DockerUnavailableError(
    `The container runner needs Docker. ${error.message} Or use \`--runtime ric\`.`,
  );
}

/** Engines known to answer, by DOCKER_HOST, with the platform each runs ("linux/amd64"): asked once per stack. */
const answeringEngines = new Map<string, string | undefined>();

/**
 * Blocking, because the function's host is created synchronously (createFunctionHost) and is to throw there, before
 * the stack starts, when the runner cannot work. Returns the engine's platform, where it says.
 */
function checkEngine(env: NodeJS.ProcessEnv): string | undefined {
  const key = env.DOCKER_HOST ?? "";
  if (answeringEngines.has(key)) return answeringEngines.get(key);
  let result: DockerResult;
  try {
    result = dockerSync(["version", "--format", "{{.Server.Version}} {{.Server.Os}}/{{.Server.Arch}}"], {
      env,
      timeoutMs: CHECK_TIMEOUT_MS,
    });
  } catch (error) {
    if (error instanceof DockerUnavailableError) throw needsDocker(error);
    throw needsDocker(engineNotAnswering((error as Error).message, env));
  }
  if (result.code !== 0)
    throw needsDocker(engineNotAnswering(`docker version: ${failureReason(result)}`, env));
  const platform = /^\S+ ([a-z0-9]+\/[a-z0-9]+)$/.exec(result.stdout.trim())?.[1];
  answeringEngines.set(key, platform);
  return platform;
}

class ContainerProcess implements RuntimeProcess {
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<RuntimeExit>;
  readonly #child: ChildProcess;
  readonly #name: string;
  readonly #env: NodeJS.ProcessEnv;
  #containerPid: number | undefined;
  #gone = false;
  #killing = false;
  #clientError = "";

  constructor(
    plan: DockerRunPlan,
    containerName: string,
    dockerEnv: NodeJS.ProcessEnv,
    platforms: ContainerPlatforms,
  ) {
    this.#name = containerName;
    this.#env = dockerEnv;
    // Its own process group: a Ctrl+C in the terminal goes to the stack, which stops the containers itself.
    const { child, exited } = spawnDocker(plan.args, { env: plan.clientEnv, detached: true });
    this.#child = child;
    if (child.stdout === null || child.stderr === null) throw new Error("docker run has no output pipes");
    this.stdout = child.stdout;
    this.stderr = child.stderr;
    child.stderr.on("data", (chunk: Buffer) => {
      this.#clientError = (this.#clientError + chunk.toString()).slice(-2000);
    });
    this.exited = exited.then(
      ({ code, signal }) => {
        this.#gone = true;
        return runtimeExitOf(code, signal, this.#clientError.trim().split("\n").at(-1), platforms);
      },
      (error: Error) => {
        this.#gone = true;
        return { code: 127, signal: null, startError: error.message };
      },
    );
    this.pidKnown = this.#findContainerPid().catch(() => {});
  }

  readonly pidKnown: Promise<void>;

  /**
   * The host pid of the container's main process (the runtime, which the entry point execs), once it runs; the
   * engine reads its peak memory. Undefined when the engine is not on this machine (its /proc is not ours).
   */
  get pid(): number | undefined {
    return this.#containerPid;
  }

  kill(): void {
    if (this.#killing) return;
    this.#killing = true;
    void this.#killContainer();
  }

  async #killContainer(): Promise<void> {
    const removed = await removeContainer(this.#name, this.#env, () => !this.#gone);
    // Removed, the container takes its client with it. Otherwise the engine never created it while the client
    // waited: end the client, which is all that is left of it here.
    if (removed || this.#gone || this.#child.pid === undefined) return;
    try {
      process.kill(process.platform === "win32" ? this.#child.pid : -this.#child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }

  async #findContainerPid(): Promise<void> {
    while (!this.#gone && !this.#killing) {
      const result = await dockerCall(
        ["inspect", "--type", "container", "--format", "{{.Id}} {{.State.Pid}}", this.#name],
        this.#env,
      );
      const [id, pidText] = result.ok ? result.output.split(" ") : [];
      const pid = Number(pidText);
      if (id !== undefined && Number.isInteger(pid) && pid > 0) {
        if (belongsToContainer(pid, id)) this.#containerPid = pid;
        return;
      }
      await delay(PID_POLL_MS);
    }
  }
}

/**
 * Stops and removes container `name` whatever state it is in: running, exited, or only created (`docker run` has
 * created it and not started it yet: `docker kill` refuses such a container as "not running", and it would start
 * a moment later with nothing left to stop it). While the container does not exist yet, tries again as long as
 * `waiting()` says its `docker run` client is still there. Resolves with whether the engine removed it (or is).
 */
export async function removeContainer(
  name: string,
  env: NodeJS.ProcessEnv,
  waiting: () => boolean,
): Promise<boolean> {
  for (let attempt = 0; attempt < KILL_ATTEMPTS && waiting(); attempt++) {
    // `docker rm --force` exits 0 even for a container that does not exist: read what it printed.
    const result = await dockerCall(["rm", "--force", name], env);
    if (/already in progress/.test(result.output)) return true;
    if (result.ok && !/No such container/i.test(result.output)) return true;
    await delay(KILL_RETRY_MS);
  }
  return false;
}

/** Whether host process `pid` runs in container `id` (false when the engine runs on another machine). */
function belongsToContainer(pid: number, id: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, "utf8").includes(id);
  } catch {
    return false;
  }
}

export function createContainerRunner(options: ContainerRunnerOptions = {}): Runner {
  const dockerEnv = options.dockerEnv ?? process.env;
  const strategyOf = (definition: FunctionDefinition): Strategy => options.strategy ?? definition.strategy;
  /** The image to run: the one given, else the one `lambda-image build` recorded for the strategy. */
  const imageOf = (
    definition: FunctionDefinition,
  ): { imageId: string; contentTag: string; recordFile: string } =>
    options.image === undefined
      ? readImageRecord(definition, strategyOf(definition))
      : { imageId: options.image, contentTag: options.image, recordFile: "" };
  /** Image ids this engine is known to have, with the platform each is for (where the engine says). */
  const present = new Map<string, string | undefined>();
  let enginePlatform: string | undefined;
  return {
    kind: "container",
    runtimeDir: CONTAINER_RUNTIME_DIR,
    checkAvailable() {
      enginePlatform = checkEngine(dockerEnv);
    },
    async checkFunction(definition) {
      const strategy = strategyOf(definition);
      const image = imageOf(definition);
      if (present.has(image.imageId)) return;
      let platform: string | undefined;
      const missing = await inspectImage(image.imageId, {
        env: dockerEnv,
        signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
      }).then(
        (details) => {
          platform = details?.platform;
          return details === undefined ? "no such image" : undefined;
        },
        (error: Error) => error.message.trim().split("\n").at(-1),
      );
      if (missing !== undefined) {
        throw new Error(
          options.image === undefined
            ? `The ${strategy} image of "${definition.name}" recorded in ${image.recordFile} (${image.contentTag}) is ` +
                `not in this Docker engine (${missing}): ${imageBuildHint(definition, strategy)}.`
            : `The image ${options.image} given for "${definition.name}" is not in this Docker engine ` +
                `(${missing}): build it first.`,
        );
      }
      present.set(image.imageId, platform);
    },
    spawn({ definition, environment }: SpawnRequest): RuntimeProcess {
      const image = imageOf(definition);
      const containerName = `lambda-local-${definition.name}-${randomBytes(4).toString("hex")}`;
      const plan = dockerRunPlan({
        imageId: image.imageId,
        containerName,
        definition,
        environment: containerEnvironment(environment, definition),
        dockerEnv,
      });
      return new ContainerProcess(plan, containerName, dockerEnv, {
        image: present.get(image.imageId),
        engine: enginePlatform,
      });
    },
  };
}
