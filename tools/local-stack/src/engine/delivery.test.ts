/**
 * Handing an invocation to the runtime, end to end through createFunctionHost and a real runtime client: what
 * travels in the Runtime API's headers reaches the function exactly, and an invocation that cannot be handed over
 * fails at once instead of holding its instance until the timeout.
 */
import { afterAll, describe, expect, it } from "vitest";
import { fixtureFunction, removeFixtureFunctions } from "../../test/support/fixture-function.js";
import type { FunctionHost, InvokeOutcome, InvokeRequest, RunnerKind } from "../contract.js";
import { createFunctionHost } from "./host.js";

type ResponseOutcome = Extract<InvokeOutcome, { kind: "response" }>;

const hosts: FunctionHost[] = [];
afterAll(async () => {
  await Promise.all(hosts.map((host) => host.close()));
  removeFixtureFunctions();
});

describe.each<RunnerKind>(["ric", "fallback"])("with the %s runner", (runner) => {
  // One instance and a long timeout: an invocation stuck on its instance would hold up the next one.
  const host = createFunctionHost(fixtureFunction("behaviours", { timeout: 300 }), {
    runner,
    maxInstances: 1,
    logSink: () => {},
  });
  hosts.push(host);

  async function invoke(
    event: unknown,
    extra: Omit<InvokeRequest, "payload"> = {},
  ): Promise<ResponseOutcome> {
    const outcome = await host.invoke({ payload: Buffer.from(JSON.stringify(event)), ...extra });
    if (outcome.kind !== "response") throw new Error(`expected a response, got ${outcome.message}`);
    return outcome;
  }

  async function clientContextSeen(clientContext: string): Promise<unknown> {
    const outcome = await invoke({ action: "echo" }, { clientContext });
    expect(outcome.functionError, outcome.payload.toString()).toBeUndefined();
    return (JSON.parse(outcome.payload.toString()) as { context: { clientContext: unknown } }).context
      .clientContext;
  }

  it.each([
    ["Latin-1 text", { custom: { word: "café" } }],
    ["text outside Latin-1", { custom: { snowman: "☃", emoji: "😀", chinese: "你好" } }],
    ["escapes and control characters", { custom: { del: "\u007f", nul: "\u0000", quote: '"\\' } }],
  ])("hands the function a client context with %s exactly", async (_case, context) => {
    expect(await clientContextSeen(JSON.stringify(context))).toEqual(context);
  });

  it("hands over pretty-printed JSON (line breaks between the values) as the same object", async () => {
    const context = { env: { locale: "en-GB" }, custom: { list: [1, 2.5, "ü"] } };
    expect(await clientContextSeen(JSON.stringify(context, null, 2))).toEqual(context);
  });

  it("fails an invocation it cannot hand to the runtime at once, and frees the instance for the next", async () => {
    const failed = await invoke({ action: "echo" }, { traceId: "Root=1-abc\r\nX-Injected: yes" });
    expect(failed.functionError).toBe("Unhandled");
    expect(failed.errorType).toBe("Runtime.Unknown");
    expect(JSON.parse(failed.payload.toString()).errorMessage).toMatch(
      /could not hand the invocation to the runtime: .*Lambda-Runtime-Trace-Id/,
    );
    const next = await invoke({ action: "echo" });
    expect(next.functionError).toBeUndefined();
  });
});
