/**
 * Against the real docker CLI and engine. Without them the suites that need them are skipped, unless CI=true,
 * where they run and fail.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  DockerCommandError,
  DockerUnavailableError,
  docker,
  dockerOk,
  dockerSync,
  engineNotAnswering,
  failureReason,
  imagePlatform,
  inspectImage,
  removeImages,
  spawnDocker,
} from "./docker.js";

const IN_CI = ["true", "1"].includes((process.env.CI ?? "").toLowerCase());
const hasCli = IN_CI || spawnSync("docker", ["--version"]).status === 0;
const hasEngine = IN_CI || spawnSync("docker", ["version"]).status === 0;
const NO_CLI = { ...process.env, PATH: "/nonexistent" };
const MISSING = /docker CLI is not installed or not on PATH.*apt-get install docker\.io/;

/** A folder on PATH whose `docker` is the given shell script: a client that misbehaves on purpose. */
function fakeDocker(script: string): { env: NodeJS.ProcessEnv; remove: () => void } {
  const bin = mkdtempSync(join(tmpdir(), "fake-docker-"));
  writeFileSync(join(bin, "docker"), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return {
    env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` },
    remove: () => rmSync(bin, { recursive: true, force: true }),
  };
}

describe("imagePlatform", () => {
  it("names an image's platform as a function's config does", () => {
    expect(imagePlatform("linux", "amd64")).toBe("linux/amd64");
    expect(imagePlatform("linux", "amd64", "")).toBe("linux/amd64");
    expect(imagePlatform("linux", "arm64", "v8")).toBe("linux/arm64");
    expect(imagePlatform("linux", "arm", "v7")).toBe("linux/arm/v7");
  });
});

describe("without a docker CLI", () => {
  it("docker() rejects with a DockerUnavailableError that says how to install it", async () => {
    const error = await docker(["version"], { env: NO_CLI }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect((error as Error).message).toMatch(MISSING);
  });

  it("spawnDocker()'s exit rejects the same way", async () => {
    const { child, exited } = spawnDocker(["run", "some-image"], { env: NO_CLI });
    expect(child.pid).toBeUndefined();
    const error = await exited.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect((error as Error).message).toMatch(MISSING);
  });

  it("dockerSync() throws the same way", () => {
    expect(() => dockerSync(["version"], { env: NO_CLI, timeoutMs: 20_000 })).toThrow(DockerUnavailableError);
    expect(() => dockerSync(["version"], { env: NO_CLI, timeoutMs: 20_000 })).toThrow(MISSING);
  });
});

describe.runIf(hasCli)("docker()", () => {
  it("resolves with the exit code and output, and dockerOk() with the trimmed stdout", async () => {
    const result = await docker(["--version"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^Docker version \S+/);
    expect(await dockerOk(["--version"])).toBe(result.stdout.trim());
  });

  it("does not reject for a non-zero exit; dockerOk() throws a DockerCommandError with the command", async () => {
    const result = await docker(["no-such-command"]);
    expect(result.code).not.toBe(0);
    expect(failureReason(result)).not.toBe("");
    const error = await dockerOk(["no-such-command"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerCommandError);
    expect((error as DockerCommandError).message).toMatch(/^docker no-such-command exited with \d+:/);
  });

  it("names the engine that does not answer", async () => {
    const env = { ...process.env, DOCKER_HOST: "unix:///nonexistent/docker.sock" };
    const result = await docker(["version", "--format", "{{.Server.Version}}"], { env });
    expect(result.code).not.toBe(0);
    expect(engineNotAnswering(`docker version: ${failureReason(result)}`, env).message).toMatch(
      /^The Docker engine at DOCKER_HOST=unix:\/\/\/nonexistent\/docker\.sock does not answer \(docker version: .+\)\. Start it/,
    );
  });

  it("answers with the exit status of a docker that exits before reading its input, not with a pipe error", async () => {
    const fake = fakeDocker("echo 'refused at once' >&2\nexit 3");
    try {
      // More than a pipe holds, so the write is still going when the process has gone (EPIPE).
      const input = "x".repeat(4 * 1024 * 1024);
      const result = await docker(["load"], { input, env: fake.env });
      expect(result).toMatchObject({ code: 3, stderr: "refused at once\n" });
    } finally {
      fake.remove();
    }
  });

  it("writes the input to stdin and hands each output line over as it comes, the last one too", async () => {
    // The unterminated stdout line may come before or after stderr's line: it is not glued to it either way.
    const fake = fakeDocker("cat\nprintf unterminated\necho to-stderr >&2");
    try {
      const lines: string[] = [];
      const result = await docker(["login", "--password-stdin"], {
        input: "secret\nsecond\n",
        env: fake.env,
        onOutput: (line) => lines.push(line),
      });
      expect(result).toMatchObject({
        code: 0,
        stdout: "secret\nsecond\nunterminated",
        stderr: "to-stderr\n",
      });
      expect(lines.filter((line) => line !== "to-stderr")).toEqual(["secret", "second", "unterminated"]);
      expect(lines.filter((line) => line === "to-stderr")).toHaveLength(1);
    } finally {
      fake.remove();
    }
  });
});

describe.runIf(hasEngine)("with an engine", () => {
  it("an aborted call ends the client and rejects with the abort", async () => {
    // `docker events` waits for events until it is stopped.
    const error = await docker(["events"], { signal: AbortSignal.timeout(300) }).catch((e: unknown) => e);
    expect((error as Error).name).toBe("AbortError");
  });

  it("a blocking call that does not finish in time throws", () => {
    expect(() => dockerSync(["events"], { timeoutMs: 300 })).toThrow(
      /^docker events did not finish within 0.3 s$/,
    );
  });

  it("a blocking call resolves with the exit code and output", () => {
    const result = dockerSync(["version", "--format", "{{.Server.Version}}"], { timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).not.toBe("");
  });

  it("spawnDocker() streams a long-running client's output and resolves with its exit", async () => {
    const volume = `docker-cli-test-${randomBytes(4).toString("hex")}`;
    // From a second before the volume exists, so the client sees its events however late it connects.
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const args = [
      "events",
      "--since",
      since,
      "--filter",
      `volume=${volume}`,
      "--format",
      "{{.Type}} {{.Action}}",
    ];
    const { child, exited } = spawnDocker(args, { detached: true });
    let output = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    await dockerOk(["volume", "create", volume]);
    await dockerOk(["volume", "rm", volume]);
    while (!output.includes("volume destroy")) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill("SIGKILL");
    expect(await exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(output).toBe("volume create\nvolume destroy\n");
  });

  describe("images", () => {
    const reference = `lambda-images/docker-cli-test:${randomBytes(4).toString("hex")}`;
    afterAll(() => removeImages([reference]));

    it("inspectImage() reads an image's id and labels, and says undefined once removeImages() removed it", async () => {
      const dir = mkdtempSync(join(tmpdir(), "docker-cli-image-"));
      try {
        writeFileSync(join(dir, "content.txt"), "content\n");
        execFileSync("tar", ["-C", dir, "-cf", join(dir, "image.tar"), "content.txt"]);
        await dockerOk(["import", "--change", "LABEL test.label=yes", join(dir, "image.tar"), reference]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const image = await inspectImage(reference);
      expect(image?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(image?.labels).toEqual({ "test.label": "yes" });
      expect(image?.sizeBytes).toBeGreaterThan(0);
      // An imported image is the engine's own platform.
      const engineArch = await dockerOk(["version", "--format", "{{.Server.Arch}}"]);
      expect(image?.os).toBe("linux");
      expect(image?.architecture).toBe(engineArch);
      expect(image?.platform).toBe(`linux/${engineArch}`);
      await removeImages([reference]);
      expect(await inspectImage(reference)).toBeUndefined();
    });

    it("inspectImage() throws a DockerCommandError when the engine does not answer", async () => {
      const env = { ...process.env, DOCKER_HOST: "unix:///nonexistent/docker.sock" };
      await expect(inspectImage(reference, { env })).rejects.toBeInstanceOf(DockerCommandError);
    });
  });
});
