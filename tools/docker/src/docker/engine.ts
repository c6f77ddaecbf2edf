/**
 * The Docker CLI, run as a child process: whether it is there, whether its engine answers, which builder it has,
 * and the few calls the image builder needs. Every failure says what is missing and how to get it.
 */
import { spawn } from "node:child_process";

export interface DockerResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface DockerRunOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Receives output lines as they come (a build's log). */
  readonly onOutput?: (line: string) => void;
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

/** Runs `docker ...args`; resolves with the exit code and output (it never rejects for a non-zero exit). */
export function docker(args: readonly string[], options: DockerRunOptions = {}): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", [...args], {
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
      signal: options.signal,
    });
    // A docker that exits before reading its input (it failed at once, or read none) makes this write fail with
    // EPIPE: its exit status and stderr say what happened, so the pipe's own error is not one more.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
    let stdout = "";
    let stderr = "";
    let pending = "";
    const forward = (chunk: string) => {
      if (!options.onOutput) return;
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) options.onOutput(line);
    };
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      forward(chunk);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      forward(chunk);
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "ENOENT" ? new DockerUnavailableError(MISSING_CLI) : error);
    });
    child.on("close", (code) => {
      if (pending && options.onOutput) options.onOutput(pending);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Runs `docker ...args` and returns its trimmed stdout, or throws a DockerCommandError. */
export async function dockerOk(args: readonly string[], options: DockerRunOptions = {}): Promise<string> {
  const result = await docker(args, options);
  if (result.code !== 0) throw new DockerCommandError(args, result);
  return result.stdout.trim();
}

export interface EngineInfo {
  readonly serverVersion: string;
  /** "linux/amd64": the platform images are built for unless one is asked for. */
  readonly platform: string;
  /** True when `docker buildx` is installed (BuildKit); false means the classic builder. */
  readonly buildx: boolean;
}

const ARCHITECTURES: Readonly<Record<string, string>> = { x86_64: "amd64", aarch64: "arm64", arm64: "arm64" };

/** Checks that the CLI is there and its engine answers; throws a DockerUnavailableError that says what to do. */
export async function checkEngine(env: NodeJS.ProcessEnv = process.env): Promise<EngineInfo> {
  const info = await docker(["info", "--format", "{{json .}}"], { env });
  if (info.code !== 0) {
    const reason = info.stderr.trim().split("\n").at(-1) ?? `exit code ${info.code}`;
    const where = env.DOCKER_HOST ? ` at DOCKER_HOST=${env.DOCKER_HOST}` : "";
    throw new DockerUnavailableError(
      `The Docker engine${where} does not answer (docker info: ${reason}). Start it (systemctl start docker, or ` +
        "`bash .ci/docker/start-engine.sh` on this project's CI machines) and try again.",
    );
  }
  const parsed = JSON.parse(info.stdout) as {
    ServerVersion?: string;
    Architecture?: string;
    OSType?: string;
  };
  const arch = ARCHITECTURES[parsed.Architecture ?? ""] ?? parsed.Architecture ?? "amd64";
  const buildx = (await docker(["buildx", "version"], { env })).code === 0;
  return {
    serverVersion: parsed.ServerVersion ?? "unknown",
    platform: `${parsed.OSType ?? "linux"}/${arch}`,
    buildx,
  };
}

export interface ImageDetails {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly sizeBytes: number;
  readonly architecture: string;
}

/** The local image `reference` (a tag or an id), or undefined when the engine has no such image. */
export async function inspectImage(
  reference: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ImageDetails | undefined> {
  const result = await docker(["image", "inspect", "--format", "{{json .}}", reference], { env });
  if (result.code !== 0) {
    if (/no such image/i.test(result.stderr)) return undefined;
    throw new DockerCommandError(["image", "inspect", reference], result);
  }
  const image = JSON.parse(result.stdout) as {
    Id: string;
    Size: number;
    Architecture: string;
    Config?: { Labels?: Record<string, string> | null };
  };
  return {
    id: image.Id,
    labels: image.Config?.Labels ?? {},
    sizeBytes: image.Size,
    architecture: image.Architecture,
  };
}

/** Removes images by tag or id (for tests and benchmarks that build throw-away images). */
export async function removeImages(
  references: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (references.length === 0) return;
  await docker(["image", "rm", "--force", ...references], { env });
}
