/**
 * A function configured for another architecture than this machine's: the host runners (ric, fallback) run it here
 * anyway and say so in one line; the container runner's engine may not run its image at all, and then says why and
 * what to install.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { fixtureFunction, removeFixtureFunctions } from "../../../test/support/fixture-function.js";
import { createFunctionHost } from "../host.js";
import { execFormatProblem, hostArchitectureNotice } from "./architecture.js";
import { runtimeExitOf } from "./docker-run.js";
import { createRunner } from "./index.js";

afterAll(removeFixtureFunctions);

/** The architecture this machine is not (for a function configured for "the other one"). */
const OTHER = process.arch === "arm64" ? "x86_64" : "arm64";
const HOST = process.arch === "arm64" ? "arm64" : "x86_64";

describe("the host runners on another architecture than the config's", () => {
  it("say so in one line naming both, and nothing when they match", () => {
    const arm = fixtureFunction("behaviours", { name: "arm", architecture: "arm64" });
    const notice = hostArchitectureNotice(arm, "ric", "x64");
    expect(notice).toMatch(
      /^arm is configured for arm64 but the ric runner runs it on this machine's x86_64 \(Node\.js x64\)/,
    );
    expect(notice).not.toContain("\n");
    expect(hostArchitectureNotice(arm, "ric", "arm64")).toBeUndefined();
    const x86 = fixtureFunction("behaviours", { name: "x86" });
    expect(hostArchitectureNotice(x86, "fallback", "arm64")).toMatch(
      /x86 is configured for x86_64 but the fallback runner runs it on this machine's arm64 \(Node\.js arm64\)/,
    );
    expect(hostArchitectureNotice(x86, "fallback", "x64")).toBeUndefined();
  });

  it.each(["ric", "fallback"] as const)(
    "the %s runner prints it on stderr once per function it starts, and runs the function",
    async (kind) => {
      const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      const runner = createRunner(kind);
      const other = fixtureFunction("behaviours", { name: `other-${kind}`, architecture: OTHER });
      const native = fixtureFunction("behaviours", { name: `native-${kind}`, architecture: HOST });
      const hosts = [other, other, native].map((definition) =>
        createFunctionHost(definition, { runner, logSink: () => {} }),
      );
      const lines = write.mock.calls
        .map(([chunk]) => String(chunk))
        .filter((text) => /configured for/.test(text));
      write.mockRestore();
      try {
        expect(lines).toEqual([`lambda-local: ${runner.functionNotice?.(other)}\n`]);
        expect(lines[0]).toContain(
          `other-${kind} is configured for ${OTHER} but the ${runner.kind} runner runs it`,
        );
        const outcome = await hosts[0]?.invoke({
          payload: Buffer.from(JSON.stringify({ action: "return", value: "ok" })),
        });
        if (outcome?.kind !== "response") throw new Error(`expected a response, got ${outcome?.kind}`);
        expect(outcome.functionError).toBeUndefined();
        expect(JSON.parse(outcome.payload.toString())).toBe("ok");
      } finally {
        await Promise.all(hosts.map((host) => host.close()));
      }
    },
  );
});

describe("an image the engine cannot execute", () => {
  // What `docker run` prints (its last line on stderr) when the kernel refuses the entry point: runc 1.1 and later
  // (Docker 20.10.24 here), and earlier runc.
  const NOW = "exec /usr/local/bin/aws-lambda-rie: exec format error";
  const BEFORE = "standard_init_linux.go:228: exec user process caused: exec format error";

  it("names the image's platform and the engine's, and what to install, when they differ", () => {
    for (const line of [NOW, BEFORE]) {
      const problem = execFormatProblem(line, { image: "linux/arm64", engine: "linux/amd64" });
      expect(problem).toBe(
        "The image is linux/arm64 but the Docker engine runs linux/amd64 and cannot run linux/arm64 binaries: the " +
          `engine could not start the image's entry point (${line}). Install emulation (Debian/Ubuntu: apt-get ` +
          "install qemu-user-static binfmt-support, which registers the binfmt handlers), or run the function with " +
          "`--runtime ric`.",
      );
    }
  });

  it("says a binary in it is for another processor when the image's own platform is the engine's", () => {
    expect(execFormatProblem(NOW, { image: "linux/amd64", engine: "linux/amd64" })).toMatch(
      /^The image is linux\/amd64, but a binary it starts is for another processor: .*exec format error\)\. Rebuild the image for linux\/amd64, or install emulation .*qemu-user-static binfmt-support/,
    );
  });

  it("leaves every other failure as it was", () => {
    expect(
      execFormatProblem("Error: Cannot find module 'x'", { image: "linux/arm64", engine: "linux/amd64" }),
    ).toBeUndefined();
    expect(execFormatProblem(undefined, { image: undefined, engine: undefined })).toBeUndefined();
  });

  it("is the runtime's start error, in place of a bare exit status", () => {
    const platforms = { image: "linux/arm64", engine: "linux/amd64" };
    expect(runtimeExitOf(1, null, NOW, platforms)).toEqual({
      code: 1,
      signal: null,
      startError: execFormatProblem(NOW, platforms),
    });
    expect(runtimeExitOf(1, null, "some other line", platforms)).toEqual({ code: 1, signal: null });
  });
});
