import { spawnSync } from "node:child_process";
import { DockerUnavailableError } from "@lambda-images/docker-cli";
import { describe, expect, it } from "vitest";
import { checkEngine } from "./engine.js";

const hasCli = spawnSync("docker", ["--version"]).status === 0;
const hasEngine = spawnSync("docker", ["version"]).status === 0;

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

  it.runIf(hasEngine)("tells the platform images are built for", async () => {
    const engine = await checkEngine();
    expect(engine.platform).toMatch(/^linux\/(amd64|arm64)$/);
    expect(engine.serverVersion).not.toBe("unknown");
  });
});
