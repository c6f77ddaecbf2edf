/**
 * Where aws-lambda-ric's native client was not built (an install without cmake or a C++ compiler: the RIC is an
 * optional dependency), the "ric" runner falls back to the pure-JS client with one line saying how to get the real
 * one, instead of failing. In CI (CI=true), where the toolchain is installed, the real client stays required.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { fixtureFunction, removeFixtureFunctions } from "../../../test/support/fixture-function.js";
import { createFunctionHost } from "../index.js";
import { createRunner } from "./index.js";
import { ricUnavailable } from "./ric.js";

afterAll(removeFixtureFunctions);

describe("choosing the ric runner", () => {
  it("is the real client when it is there", () => {
    const runner = createRunner("ric", { ricProblem: undefined, env: {} });
    expect(runner.kind).toBe("ric");
    expect(runner.notice).toBeUndefined();
  });

  it("falls back to the pure-JS client, with one line saying how to get the real one", () => {
    const runner = createRunner("ric", { ricProblem: "the native client is missing", env: {} });
    expect(runner.kind).toBe("fallback");
    expect(runner.notice).toMatch(/fallback/);
    expect(runner.notice).toMatch(/cmake.*pnpm rebuild aws-lambda-ric/);
    expect(runner.notice).not.toContain("\n");
    expect(() => runner.checkAvailable()).not.toThrow();
  });

  it("stays required in CI", () => {
    expect(() =>
      createRunner("ric", { ricProblem: "the native client is missing", env: { CI: "true" } }),
    ).toThrow(/the native client is missing/);
  });

  it("says why the real client cannot run", () => {
    expect(
      ricUnavailable(() => ({
        entry: "/x/index.mjs",
        dir: "/x",
        nativeClient: "/nowhere/rapid-client.node",
      })),
    ).toMatch(/native client was not built \(\/nowhere\/rapid-client.node is missing\)/);
    expect(
      ricUnavailable(() => {
        throw new Error("aws-lambda-ric is not installed");
      }),
    ).toMatch(/not installed/);
    expect(ricUnavailable()).toBeUndefined(); // this machine built it
  });

  it("prints the notice once, on stderr, however many functions use the runner", async () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const runner = createRunner("ric", { ricProblem: "missing", env: {} });
    const definition = fixtureFunction("behaviours");
    const hosts = [0, 1, 2].map(() => createFunctionHost(definition, { runner, logSink: () => {} }));
    const lines = write.mock.calls
      .map(([chunk]) => String(chunk))
      .filter((text) => text.includes("fallback"));
    write.mockRestore();
    await Promise.all(hosts.map((host) => host.close()));
    expect(lines).toEqual([`lambda-local: ${runner.notice}\n`]);
  });
});
