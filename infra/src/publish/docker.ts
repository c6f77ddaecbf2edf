import { spawn } from "node:child_process";

/** A docker command that failed: the message holds the command and what docker printed. */
export class DockerCommandError extends Error {
  override readonly name = "DockerCommandError";

  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(
      `\`docker ${args.join(" ")}\` failed (exit ${exitCode ?? "signal"}): ${stderr.trim() || "no output"}`,
    );
  }
}

/** Runs the docker CLI and returns its stdout; rejects with a DockerCommandError when it fails. */
export function docker(args: readonly string[], options: { input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("docker", args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", (error) => {
      reject(
        new Error(
          `Cannot run the docker CLI (${error.message}). Install Docker (Debian: apt-get install docker.io) ` +
            "and make sure `docker` is on PATH.",
        ),
      );
    });
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else reject(new DockerCommandError(args, code, stderr));
    });
    child.stdin.end(options.input ?? "");
  });
}

/** Whether a Docker engine answers (`docker info`). */
export async function dockerEngineAnswers(): Promise<boolean> {
  try {
    await docker(["info", "--format", "{{.ServerVersion}}"]);
    return true;
  } catch {
    return false;
  }
}

/** Fails with what to do when no Docker engine answers. */
export async function requireDockerEngine(): Promise<void> {
  try {
    await docker(["info", "--format", "{{.ServerVersion}}"]);
  } catch (error) {
    throw new Error(
      "No Docker engine answers, and pushing images needs one. Start it (on Debian: `dockerd &`, or " +
        `\`bash .ci/docker/start-engine.sh\` in this repository). Docker said: ${(error as Error).message}`,
    );
  }
}

/** The image id ("sha256:...") of a local image, or undefined when there is no such image. */
export async function localImageId(reference: string): Promise<string | undefined> {
  try {
    return (await docker(["image", "inspect", "--format", "{{.Id}}", reference])).trim();
  } catch (error) {
    if (error instanceof DockerCommandError && /no such image/i.test(error.stderr)) return undefined;
    throw error;
  }
}

/** The `RepoDigests` of a local image: "host/repo@sha256:..." for every repository it was pushed to or pulled from. */
export async function repoDigests(reference: string): Promise<string[]> {
  const json = await docker(["image", "inspect", "--format", "{{json .RepoDigests}}", reference]);
  const parsed = JSON.parse(json) as unknown;
  return Array.isArray(parsed) ? parsed.filter((entry): entry is string => typeof entry === "string") : [];
}
