/**
 * The docker CLI, run as a child process: one-shot calls that resolve with the exit code and output, a
 * long-running client whose output is streamed (`docker run`), a blocking call for the one check that cannot wait,
 * and the image queries the tools share. A missing CLI or an engine that does not answer is a
 * DockerUnavailableError that says what is missing and how to get it.
 */
import { type ChildProcess, type StdioOptions, spawn, spawnSync } from "node:child_process";
import type { Readable } from "node:stream";

export interface DockerResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface DockerRunOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Receives output lines as they come (a build's log). */
  readonly onOutput?: (line: string) => void;
  /**
   * Ends the call: the client gets SIGTERM and the promise rejects with an AbortError. `AbortSignal.timeout(ms)`
   * bounds a call that could wait for an engine that does not answer.
   */
  readonly signal?: AbortSignal;
  /** Written to the command's stdin (a password for `docker login --password-stdin`), never to its arguments. */
  readonly input?: string;
}

/** Docker cannot be used here: the CLI is missing or its engine does not answer. */
export class DockerUnavailableError extends Error {
  override readonly name = "DockerUnavailableError";
}

/** A docker command failed; the message holds the command and the end of its output. */
export class DockerCommandError extends Error {
  override readonly name = "DockerCommandError";
  constructor(
    readonly args: readonly string[],
    readonly result: DockerResult,
  ) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-25).join("\n");
    super(`docker ${args.join(" ")} exited with ${result.code}:\n${tail}`);
  }
}

const MISSING_CLI =
  "The docker CLI is not installed or not on PATH. Install Docker (Debian: apt-get install docker.io) and " +
  "start its engine; on this project's CI machines `bash .ci/docker/start-engine.sh` does both.";

function startError(error: NodeJS.ErrnoException): Error {
  return error.code === "ENOENT" ? new DockerUnavailableError(MISSING_CLI) : error;
}

/** The engine (at DOCKER_HOST, if set) does not answer, for `reason` (e.g. "docker info: <its last line>"). */
export function engineNotAnswering(
  reason: string,
  env: NodeJS.ProcessEnv = process.env,
): DockerUnavailableError {
  const where = env.DOCKER_HOST ? ` at DOCKER_HOST=${env.DOCKER_HOST}` : "";
  return new DockerUnavailableError(
    `The Docker engine${where} does not answer (${reason}). Start it (systemctl start docker, or ` +
      "`bash .ci/docker/start-engine.sh` on this project's CI machines) and try again.",
  );
}

/** What a failed call said last: the last line of its stderr, else of its stdout, else its exit code. */
export function failureReason(result: DockerResult): string {
  const last = (text: string) => text.trim().split("\n").at(-1) ?? "";
  return last(result.stderr) || last(result.stdout) || `exit code ${result.code}`;
}

export interface DockerSpawnOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Default: no stdin; stdout and stderr piped. */
  readonly stdio?: StdioOptions;
  /** In its own process group (where there are such), so a Ctrl+C in the terminal does not reach it. */
  readonly detached?: boolean;
  readonly signal?: AbortSignal;
}

export interface DockerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface DockerChild {
  /** The client process: its pid and the pipes `stdio` asked for. */
  readonly child: ChildProcess;
  /**
   * Resolves when the client exits (its pipes may still hold output), or rejects when it could not be started or
   * was aborted: with a DockerUnavailableError when there is no docker CLI on PATH.
   */
  readonly exited: Promise<DockerExit>;
}

/** Starts `docker ...args` and leaves it running (`docker run`, `docker events`): its output is the caller's. */
export function spawnDocker(args: readonly string[], options: DockerSpawnOptions = {}): DockerChild {
  const child = spawn("docker", [...args], {
    env: options.env ?? process.env,
    stdio: options.stdio ?? ["ignore", "pipe", "pipe"],
    detached: options.detached === true && process.platform !== "win32",
    signal: options.signal,
  });
  const exited = new Promise<DockerExit>((resolve, reject) => {
    // `on`, not `once`: a later error (a failed kill) without a listener would be thrown.
    child.on("error", (error: NodeJS.ErrnoException) => reject(startError(error)));
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  // A caller that only reads the pipes is not met with an unhandled rejection; one that awaits still gets it.
  exited.catch(() => {});
  return { child, exited };
}

/** Runs `docker ...args`; resolves with the exit code and output (it never rejects for a non-zero exit). */
export async function docker(args: readonly string[], options: DockerRunOptions = {}): Promise<DockerResult> {
  const { child, exited } = spawnDocker(args, {
    env: options.env,
    stdio: ["pipe", "pipe", "pipe"],
    signal: options.signal,
  });
  const { stdin, stdout: out, stderr: err } = child;
  if (stdin === null || out === null || err === null) throw new Error("docker was started without pipes");
  // Every pipe read to its end: `close` comes after `exit` and after the last output.
  const closed = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  // A docker that exits before reading its input (it failed at once, or read none) makes this write fail with
  // EPIPE: its exit status and stderr say what happened, so the pipe's own error is not one more.
  stdin.on("error", () => {});
  stdin.end(options.input ?? "");
  const stdout = collect(out, options.onOutput);
  const stderr = collect(err, options.onOutput);
  await exited;
  const code = await closed;
  return { code: code ?? 1, stdout: stdout.end(), stderr: stderr.end() };
}

/**
 * A stream's whole text, and its lines to `onOutput` as they come: each stream split on its own, so a line that
 * one stream has only begun is not joined to the other's output.
 */
function collect(stream: Readable, onOutput: ((line: string) => void) | undefined): { end: () => string } {
  let text = "";
  let pending = "";
  stream.setEncoding("utf8").on("data", (chunk: string) => {
    text += chunk;
    if (!onOutput) return;
    const lines = (pending + chunk).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) onOutput(line);
  });
  return {
    end: () => {
      if (pending && onOutput) onOutput(pending);
      pending = "";
      return text;
    },
  };
}

/** Runs `docker ...args` and returns its trimmed stdout, or throws a DockerCommandError. */
export async function dockerOk(args: readonly string[], options: DockerRunOptions = {}): Promise<string> {
  const result = await docker(args, options);
  if (result.code !== 0) throw new DockerCommandError(args, result);
  return result.stdout.trim();
}

export interface DockerSyncOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** The client is killed after this long and the call throws. */
  readonly timeoutMs: number;
}

/**
 * Runs `docker ...args` and blocks until it exits: only for a check a synchronous caller must make before it
 * returns. Throws a DockerUnavailableError when there is no CLI, and an Error when it did not finish in time.
 */
export function dockerSync(args: readonly string[], options: DockerSyncOptions): DockerResult {
  const result = spawnSync("docker", [...args], {
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    timeout: options.timeoutMs,
  });
  const error = result.error as NodeJS.ErrnoException | undefined;
  if (error?.code === "ETIMEDOUT") {
    throw new Error(`docker ${args.join(" ")} did not finish within ${options.timeoutMs / 1000} s`);
  }
  if (error !== undefined) throw startError(error);
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

export interface ImageDetails {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly sizeBytes: number;
  /** The image's own architecture and OS, as `docker image inspect` reports them ("amd64", "linux"). */
  readonly architecture: string;
  readonly os: string;
  /** "linux/amd64", "linux/arm64", "linux/arm/v7": what the image runs on (see imagePlatform). */
  readonly platform: string;
}

/**
 * The platform an image's OS, architecture and variant name, as records and configs compare it: "linux/amd64",
 * "linux/arm/v7". An arm64 image's usual variant (v8) is left out, so it reads "linux/arm64" as the config's does.
 */
export function imagePlatform(os: string, architecture: string, variant?: string): string {
  const named = variant && !(architecture === "arm64" && variant === "v8") ? `/${variant}` : "";
  return `${os}/${architecture}${named}`;
}

export type DockerQueryOptions = Pick<DockerRunOptions, "env" | "signal">;

/** The local image `reference` (a tag or an id), or undefined when the engine has no such image. */
export async function inspectImage(
  reference: string,
  options: DockerQueryOptions = {},
): Promise<ImageDetails | undefined> {
  const args = ["image", "inspect", "--format", "{{json .}}", reference];
  const result = await docker(args, options);
  if (result.code !== 0) {
    if (/no such image/i.test(result.stderr)) return undefined;
    throw new DockerCommandError(args, result);
  }
  const image = JSON.parse(result.stdout) as {
    Id: string;
    Size: number;
    Architecture: string;
    Os: string;
    Variant?: string;
    Config?: { Labels?: Record<string, string> | null };
  };
  return {
    id: image.Id,
    labels: image.Config?.Labels ?? {},
    sizeBytes: image.Size,
    architecture: image.Architecture,
    os: image.Os,
    platform: imagePlatform(image.Os, image.Architecture, image.Variant),
  };
}

/** Removes images by tag or id (for tests and benchmarks that build throw-away images). */
export async function removeImages(
  references: readonly string[],
  options: DockerQueryOptions = {},
): Promise<void> {
  if (references.length === 0) return;
  await docker(["image", "rm", "--force", ...references], options);
}
