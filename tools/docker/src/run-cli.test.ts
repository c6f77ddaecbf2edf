import { findWorkspaceRoot } from "@lambda-images/function-config";
import { afterAll, describe, expect, it } from "vitest";
import { fixtureWorkspace, removeFixtureFunctions } from "../test/support/fixture-function.js";
import { discoverBaseImages } from "./images/config.js";
import { runCli } from "./run-cli.js";

// The CLI runs in a workspace of one fixture function, so no example function's change reaches these cases.
const workspace = fixtureWorkspace("greeter");

function capture(cwd = workspace) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { cwd, env: process.env, out: (t: string) => out.push(t), err: (t: string) => err.push(t) },
    out,
    err,
  };
}

describe("lambda-image CLI", () => {
  afterAll(removeFixtureFunctions);

  it("lint: reports the workspace's Dockerfiles and exits 0 when they are clean", async () => {
    // The fixture function's three Dockerfiles and the shared bases' (the lint of the example functions is
    // tools/function-images-tests' lint suite).
    const { io, out, err } = capture();
    expect(await runCli(["lint"], io), [...out, ...err].join("\n")).toBe(0);
    expect(err).toEqual([]);
    const dockerfiles = 3 + discoverBaseImages(findWorkspaceRoot()).length;
    expect(out.join("\n")).toBe(`lambda-image lint: ${dockerfiles} Dockerfiles, no findings.`);
  });

  it("says what was wrong with the call, with the usage, and exits 2", async () => {
    const unknown = capture();
    expect(await runCli(["deploy"], unknown.io)).toBe(2);
    // One line and a hint, not the whole usage after every typo.
    expect(unknown.err.join("\n")).toBe(
      'lambda-image: Unknown command "deploy".\nRun lambda-image --help for usage.',
    );
    const badFlag = capture();
    expect(await runCli(["lint", "--colour"], badFlag.io)).toBe(2);
    expect(badFlag.err.join("\n")).toMatch(/Unknown option '--colour'/);
    expect(badFlag.err.join("\n")).not.toContain("Usage:");
    const badStrategy = capture();
    expect(await runCli(["build", "--strategy", "alpine"], badStrategy.io)).toBe(2);
    expect(badStrategy.err.join("\n")).toMatch(
      /Unknown strategy "alpine": use aws-base, os-only, non-aws or all\./,
    );
  });

  it.each([["build"], ["lint"], ["local"], ["base"]])(
    "%s --help prints the usage on stdout and exits 0, touching nothing",
    async (command) => {
      const { io, out, err } = capture();
      expect(await runCli([command, "--help"], io)).toBe(0);
      expect(await runCli([command, "-h"], io)).toBe(0);
      expect(err).toEqual([]);
      expect(out.join("\n")).toContain("Usage: lambda-image");
    },
  );

  it("build: a malformed IMAGE_BASE_OVERRIDES is explained before anything is built", async () => {
    const { io, err } = capture();
    const code = await runCli(["build"], { ...io, env: { ...process.env, IMAGE_BASE_OVERRIDES: "node:22" } });
    expect(code).toBe(1);
    expect(err.join("\n")).toMatch(/IMAGE_BASE_OVERRIDES: "node:22" is not PUBLIC=REPLACEMENT/);
  });
});
