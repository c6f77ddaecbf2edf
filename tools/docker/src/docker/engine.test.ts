import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkEngine, DockerUnavailableError, docker } from "./engine.js";

const hasCli = spawnSync("docker", ["--version"]).status === 0;

describe("checkEngine: clear errors when Docker cannot be used", () => {
  it("says the CLI is missing and how to install it", async () => {
    const error = await checkEngine({ ...process.env, PATH: "/nonexistent" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect((error as Error).message).toMatch(
      /docker CLI is not installed or not on PATH.*apt-get install docker\.io/,
    );
  });

  it.runIf(hasCli)("says the engine does not answer, where, and how to start it", async () => {
    const error = await checkEngine({ ...process.env, DOCKER_HOST: "unix:///nonexistent/docker.sock" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DockerUnavailableError);
    expect((error as Error).message).toMatch(
      /Docker engine at DOCKER_HOST=unix:\/\/\/nonexistent\/docker\.sock does not answer \(docker info: .+\)\. Start it/,
    );
  });
});

describe("docker()", () => {
  it("answers with the exit status of a docker that exits before reading its input, not with a pipe error", async () => {
    const bin = mkdtempSync(join(tmpdir(), "docker-exits-"));
    try {
      writeFileSync(join(bin, "docker"), "#!/bin/sh\necho 'refused at once' >&2\nexit 3\n", { mode: 0o755 });
      // More than a pipe holds, so the write is still going when the process has gone (EPIPE).
      const input = "x".repeat(4 * 1024 * 1024);
      const result = await docker(["load"], { input, env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` } });
      expect(result).toMatchObject({ code: 3, stderr: "refused at once\n" });
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
