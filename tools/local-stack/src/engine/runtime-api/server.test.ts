/**
 * Conformance of the Runtime API with the behaviour reference (section 1), driven by a raw HTTP client acting as
 * the runtime: status codes, exact bodies, headers and every state transition.
 */
import { request } from "node:http";
import { afterEach, describe, expect, test } from "vitest";
import { BODIES, goJson, MAX_RUNTIME_PAYLOAD_BYTES } from "./bodies.js";
import {
  type RuntimeApiListener,
  RuntimeApiServer,
  type RuntimeError,
  type RuntimeInvocation,
  type RuntimeResponse,
} from "./server.js";

interface Recorded {
  waiting: number;
  initErrors: RuntimeError[];
  responses: { requestId: string; response: RuntimeResponse }[];
  errors: { requestId: string; error: RuntimeError }[];
  tooLarge: { requestId: string; bytes: number }[];
}

function recordingListener(): { listener: RuntimeApiListener; recorded: Recorded } {
  const recorded: Recorded = { waiting: 0, initErrors: [], responses: [], errors: [], tooLarge: [] };
  return {
    recorded,
    listener: {
      waiting: () => {
        recorded.waiting++;
      },
      initError: (error) => recorded.initErrors.push(error),
      response: (requestId, response) => recorded.responses.push({ requestId, response }),
      error: (requestId, error) => recorded.errors.push({ requestId, error }),
      responseTooLarge: (requestId, bytes) => recorded.tooLarge.push({ requestId, bytes }),
    },
  };
}

const servers: RuntimeApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startApi(): Promise<{ server: RuntimeApiServer; base: string; recorded: Recorded }> {
  const { listener, recorded } = recordingListener();
  const server = new RuntimeApiServer(listener);
  servers.push(server);
  const address = await server.listen();
  return { server, base: `http://${address}/2018-06-01`, recorded };
}

function invocation(overrides: Partial<RuntimeInvocation> = {}): RuntimeInvocation {
  return {
    requestId: "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
    payload: Buffer.from('{"hello":"world"}'),
    deadlineMs: 1_800_000_000_000,
    invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:hello",
    traceId: "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
    ...overrides,
  };
}

async function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, { method: "POST", body, headers });
}

/** Sends an HTTP/1.1 chunked body, chunk by chunk, with optional trailers. */
function postChunked(
  url: string,
  chunks: readonly (string | Buffer)[],
  headers: Record<string, string | string[]> = {},
  trailers?: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", headers: { "Transfer-Encoding": "chunked", ...headers } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    if (trailers) req.addTrailers(trailers);
    req.end();
  });
}

async function expectBody(response: Response, status: number, body: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/json");
  expect(await response.text()).toBe(body);
}

const ID = invocation().requestId;

describe("bodies", () => {
  test("are written like Go's json.Encoder: HTML-safe escapes and a trailing newline", () => {
    expect(goJson({ a: "<b>&" })).toBe('{"a":"\\u003cb\\u003e\\u0026"}\n');
    expect(BODIES.accepted).toBe('{"status":"OK"}\n');
    expect(BODIES.invalidRequestId).toBe(
      '{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}\n',
    );
    expect(BODIES.invalidResponseMode).toBe(
      '{"errorMessage":"Invalid function response mode","errorType":"InvalidFunctionResponseMode"}\n',
    );
    expect(BODIES.logsNotSupported).toBe(
      '{"errorMessage":"Logs API is not supported","errorType":"Logs.NotSupported"}\n',
    );
    expect(BODIES.tooLarge).toBe(
      '{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}\n',
    );
    expect(BODIES.invalidTransition("Running", "InitError")).toBe(
      '{"errorMessage":"State transition from Running to InitError failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}\n',
    );
  });
});

describe("GET /runtime/invocation/next", () => {
  test("waits for an invocation, then renders its payload and headers", async () => {
    const { server, base, recorded } = await startApi();
    const next = fetch(`${base}/runtime/invocation/next`);
    await expect.poll(() => recorded.waiting).toBe(1);
    server.deliver(invocation({ clientContext: '{"custom":{"a":1}}', tenantId: "tenant-7" }));
    const response = await next;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"hello":"world"}');
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("lambda-runtime-aws-request-id")).toBe(ID);
    expect(response.headers.get("lambda-runtime-deadline-ms")).toBe("1800000000000");
    expect(response.headers.get("lambda-runtime-invoked-function-arn")).toBe(invocation().invokedFunctionArn);
    expect(response.headers.get("lambda-runtime-trace-id")).toBe(invocation().traceId);
    expect(response.headers.get("lambda-runtime-client-context")).toBe('{"custom":{"a":1}}');
    expect(response.headers.get("lambda-runtime-aws-tenant-id")).toBe("tenant-7");
    expect(server.state).toBe("Running");
  });

  test("hands over an invocation delivered before the runtime asked, and leaves unset headers out", async () => {
    const { server, base } = await startApi();
    server.deliver(invocation({ payload: Buffer.from([0x7b, 0x7d]) }));
    const response = await fetch(`${base}/runtime/invocation/next`);
    expect(await response.text()).toBe("{}");
    expect(response.headers.has("lambda-runtime-client-context")).toBe(false);
    expect(response.headers.has("lambda-runtime-aws-tenant-id")).toBe(false);
    expect(response.headers.has("lambda-runtime-cognito-identity")).toBe(false);
  });

  test("asked again without a reply, renders the same event again", async () => {
    const { server, base, recorded } = await startApi();
    server.deliver(invocation());
    await fetch(`${base}/runtime/invocation/next`);
    const again = await fetch(`${base}/runtime/invocation/next`);
    expect(again.headers.get("lambda-runtime-aws-request-id")).toBe(ID);
    expect(await again.text()).toBe('{"hello":"world"}');
    expect(recorded.waiting).toBe(1);
  });
});

describe("POST /runtime/invocation/{id}/response", () => {
  test("202 for the current invocation, with the body passed on byte for byte", async () => {
    const { server, base, recorded } = await startApi();
    server.deliver(invocation());
    await fetch(`${base}/runtime/invocation/next`);
    await expectBody(await post(`${base}/runtime/invocation/${ID}/response`, '"done"'), 202, BODIES.accepted);
    expect(recorded.responses).toHaveLength(1);
    const [first] = recorded.responses;
    expect(first?.requestId).toBe(ID);
    expect(first?.response.kind === "buffered" && first.response.payload.toString()).toBe('"done"');
    expect(server.state).toBe("RuntimeResponseSentState");
  });

  test("400 InvalidRequestID for an unknown id, before any invocation, and for an old id", async () => {
    const { server, base, recorded } = await startApi();
    await expectBody(
      await post(`${base}/runtime/invocation/${ID}/response`, "{}"),
      400,
      BODIES.invalidRequestId,
    );
    server.deliver(invocation());
    await fetch(`${base}/runtime/invocation/next`);
    await expectBody(
      await post(`${base}/runtime/invocation/nope/response`, "{}"),
      400,
      BODIES.invalidRequestId,
    );
    await post(`${base}/runtime/invocation/${ID}/response`, "{}");
    const next = fetch(`${base}/runtime/invocation/next`);
    await expect.poll(() => recorded.waiting).toBe(2);
    server.deliver(invocation({ requestId: "second" }));
    await next;
    await expectBody(
      await post(`${base}/runtime/invocation/${ID}/response`, "{}"),
      400,
      BODIES.invalidRequestId,
    );
  });

  test("403 on a second reply to the same invocation", async () => {
    const { server, base } = await startApi();
    server.deliver(invocation());
    await fetch(`${base}/runtime/invocation/next`);
    await post(`${base}/runtime/invocation/${ID}/response`, "1");
    await expectBody(
      await post(`${base}/runtime/invocation/${ID}/response`, "2"),
      403,
      BODIES.invalidTransition("RuntimeResponseSentState", "InvocationResponse"),
    );
    await expectBody(
      await post(`${base}/runtime/invocation/${ID}/error`, "{}"),
      403,
      BODIES.invalidTransition("RuntimeResponseSentState", "InvocationErrorResponse"),
    );
  });

  test("accepts a chunked body", async () => {
    const { server, base, recorded } = await startApi();
    server.deliver(invocation());
    await fetch(`${base}/runtime/invocation/next`);
    const reply = await postChunked(`${base}/runtime/invocation/${ID}/response`, ['{"a":', '"chunked"', "}"]);
    expect(reply).toEqual({ status: 202, body: BODIES.accepted });
    const [first] = recorded.responses;
    expect(first?.response.kind === "buffered" && first.response.payload.toString()).toBe('{"a":"chunked"}');
  });

  test("413 past 6291556 bytes; exactly 6291556 bytes is accepted", async () => {
    const { server, base, recorded } = await startApi();
    server.deliver(invocation());
    await fetch(`${base}/runtime/invocation/next`);
    const tooBig = Buffer.alloc(MAX_RUNTIME_PAYLOAD_BYTES + 1, 0x61);
    await expectBody(await post(`${base}/runtime/invocation/${ID}/response`, tooBig), 413, BODIES.tooLarge);
    expect(recorded.tooLarge).toEqual([{ requestId: ID, bytes: MAX_RUNTIME_PAYLOAD_BYTES + 1 }]);
    expect(recorded.responses).toHaveLength(0);

    const next = fetch(`${base}/runtime/invocation/next`);
    await expect.poll(() => recorded.waiting).toBe(2);
    server.deliver(invocation({ requestId: "fits" }));
    await next;
    const exact = Buffer.alloc(MAX_RUNTIME_PAYLOAD_BYTES, 0x61);
    await expectBody(await post(`${base}/runtime/invocation/fits/response`, exact), 202, BODIES.accepted);
  });

  test("400 InvalidFunctionResponseMode for an unknown mode; the runtime is then stuck", async () => {
    const { server, base } = await startApi();
    server.deliver(invocation());
    await fetch(`${base}/runtime/invocation/next`);
    await expectBody(
      await post(`${base}/runtime/invocation/${ID}/response`, "{}", {
        "Lambda-Runtime-Function-Response-Mode": "buffered",
      }),
      400,
      BODIES.invalidResponseMode,
    );
    await expectBody(
      await fetch(`${base}/runtime/invocation/next`),
      403,
      BODIES.invalidTransition("InvocationResponse", "Ready"),
    );
  });

  test("streams a response as it arrives and reads the error trailers", async () => {
    const { server, base, recorded } = await startApi();
    server.deliver(invocation({ streamLimitBytes: 1024 }));
    await fetch(`${base}/runtime/invocation/next`);
    const errorBody = { errorType: "RangeError", errorMessage: "half way", trace: [] };
    let status = 0;
    const req = request(`${base}/runtime/invocation/${ID}/response`, {
      method: "POST",
      headers: {
        "Transfer-Encoding": "chunked",
        "Lambda-Runtime-Function-Response-Mode": "streaming",
        "Content-Type": "application/vnd.awslambda.http-integration-response",
        Trailer: ["Lambda-Runtime-Function-Error-Type", "Lambda-Runtime-Function-Error-Body"],
      },
    });
    const replied = new Promise<void>((resolve) =>
      req.on("response", (res) => {
        status = res.statusCode ?? 0;
        res.resume();
        res.on("end", resolve);
      }),
    );
    req.write("first|");
    await expect.poll(() => recorded.responses.length).toBe(1);
    const streamed = recorded.responses[0]?.response;
    if (streamed?.kind !== "streamed") throw new Error("expected a streamed response");
    expect(streamed.contentType).toBe("application/vnd.awslambda.http-integration-response");
    let received = "";
    streamed.body.on("data", (chunk: Buffer) => {
      received += chunk.toString();
    });
    // The first chunk is readable while the runtime is still writing.
    await expect.poll(() => received).toBe("first|");
    req.write("second|");
    req.addTrailers({
      "Lambda-Runtime-Function-Error-Type": "RangeError",
      "Lambda-Runtime-Function-Error-Body": Buffer.from(JSON.stringify(errorBody)).toString("base64"),
    });
    req.end();
    await replied;
    expect(status).toBe(202);
    const end = await streamed.ended;
    await expect.poll(() => received).toBe("first|second|");
    expect(end.bytes).toBe(13);
    expect(end.tooLarge).toBe(false);
    expect(end.error?.errorType).toBe("RangeError");
    expect(end.error?.reportedType).toBe("Runtime.Unknown");
    expect(JSON.parse(end.error?.payload.toString() ?? "")).toEqual(errorBody);
  });

  test("a streamed response over its limit gets 413 and ends the stream", async () => {
    const { server, base, recorded } = await startApi();
    server.deliver(invocation({ streamLimitBytes: 10 }));
    await fetch(`${base}/runtime/invocation/next`);
    const reply = await postChunked(`${base}/runtime/invocation/${ID}/response`, ["123456", "789012"], {
      "Lambda-Runtime-Function-Response-Mode": "streaming",
    });
    expect(reply).toEqual({ status: 413, body: BODIES.tooLarge });
    const streamed = recorded.responses[0]?.response;
    if (streamed?.kind !== "streamed") throw new Error("expected a streamed response");
    expect(streamed.contentType).toBe("application/json");
    const end = await streamed.ended;
    expect(end).toMatchObject({ bytes: 12, tooLarge: true, aborted: false });
  });
});

describe("POST /runtime/invocation/{id}/error", () => {
  test("202, the body passed through verbatim; the type comes from the body, RAPID keeps Runtime.Unknown", async () => {
    const { server, base, recorded } = await startApi();
    server.deliver(invocation());
    await fetch(`${base}/runtime/invocation/next`);
    const body = '{"errorType":"TypeError","errorMessage":"bad","trace":["TypeError: bad"]}';
    await expectBody(await post(`${base}/runtime/invocation/${ID}/error`, body), 202, BODIES.accepted);
    expect(recorded.errors).toHaveLength(1);
    const error = recorded.errors[0]?.error;
    expect(error?.payload.toString()).toBe(body);
    expect(error?.errorType).toBe("TypeError");
    expect(error?.reportedType).toBe("Runtime.Unknown");
  });

  test("keeps a valid Lambda-Runtime-Function-Error-Type header and re-serialises error-cause bodies", async () => {
    const { server, base, recorded } = await startApi();
    server.deliver(invocation());
    await fetch(`${base}/runtime/invocation/next`);
    await post(
      `${base}/runtime/invocation/${ID}/error`,
      '{"errorType":"Function.Broken","errorMessage":"m","stackTrace":["a"],"errorCause":{"x":1}}',
      {
        "Lambda-Runtime-Function-Error-Type": "Function.Broken",
        "Content-Type": "application/vnd.aws.lambda.error.cause+json",
      },
    );
    const error = recorded.errors[0]?.error;
    expect(error?.reportedType).toBe("Function.Broken");
    expect(error?.payload.toString()).toBe(
      '{"errorMessage":"m","errorType":"Function.Broken","stackTrace":["a"]}',
    );
  });

  test("400 for a wrong id", async () => {
    const { server, base } = await startApi();
    server.deliver(invocation());
    await fetch(`${base}/runtime/invocation/next`);
    await expectBody(
      await post(`${base}/runtime/invocation/other/error`, "{}"),
      400,
      BODIES.invalidRequestId,
    );
  });
});

describe("POST /runtime/init/error", () => {
  test("202 from Started; afterwards every transition is refused", async () => {
    const { base, recorded } = await startApi();
    const body = '{"errorType":"Runtime.ImportModuleError","errorMessage":"Cannot find module"}';
    await expectBody(
      await post(`${base}/runtime/init/error`, body, {
        "Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError",
      }),
      202,
      BODIES.accepted,
    );
    expect(recorded.initErrors).toHaveLength(1);
    expect(recorded.initErrors[0]?.reportedType).toBe("Runtime.ImportModuleError");
    expect(recorded.initErrors[0]?.payload.toString()).toBe(body);
    await expectBody(
      await fetch(`${base}/runtime/invocation/next`),
      403,
      BODIES.invalidTransition("InitError", "Ready"),
    );
    await expectBody(
      await post(`${base}/runtime/init/error`, "{}"),
      403,
      BODIES.invalidTransition("InitError", "InitError"),
    );
  });

  test("403 once an invocation is running", async () => {
    const { server, base } = await startApi();
    server.deliver(invocation());
    await fetch(`${base}/runtime/invocation/next`);
    await expectBody(
      await post(`${base}/runtime/init/error`, "{}"),
      403,
      BODIES.invalidTransition("Running", "InitError"),
    );
  });

  test("the engine cannot deliver to a runtime that failed its init", async () => {
    const { server, base } = await startApi();
    await post(`${base}/runtime/init/error`, "{}");
    expect(() => server.deliver(invocation())).toThrow(/init error/);
  });
});

describe("other endpoints", () => {
  test("ping, the Logs and Telemetry API stubs, and 404 elsewhere", async () => {
    const { base } = await startApi();
    const root = base.replace("/2018-06-01", "");
    const ping = await fetch(`${base}/ping`);
    expect(await ping.text()).toBe("pong");
    await expectBody(
      await fetch(`${root}/2020-08-15/logs`, { method: "PUT", body: "{}" }),
      202,
      BODIES.logsNotSupported,
    );
    await expectBody(
      await fetch(`${root}/2022-07-01/telemetry`, { method: "PUT", body: "{}" }),
      202,
      BODIES.telemetryNotSupported,
    );
    const missing = await fetch(`${root}/2018-06-01/runtime/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("404 page not found\n");
  });
});
