/**
 * The robustness suite: nothing a caller sends or a function returns may stop the local stack. Through the real
 * engine and aws-lambda-ric it fuzzes every front door (the Invoke API, the HTTP API, a BUFFERED and a
 * RESPONSE_STREAM Function URL) with malformed requests over raw sockets, with malformed function results, and with
 * clients that vanish or never read; then it checks that every call got an HTTP answer and the stack still serves.
 *
 * Bounded: a fixed list of cases on loopback. No assertion depends on how fast the machine is: the suite waits for
 * events (an answer, a closed socket, a log line), never for time.
 */
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureFunction, removeFixtureFunctions } from "../test/support/fixture-function.js";
import { LOCAL_ACCOUNT_ID } from "./engine/index.js";
import { type LocalStack, startStack } from "./stack.js";

const REGION = "eu-west-1";
/** A function whose event (or HTTP request body) says what to return: see test/support/behaviours.mjs. */
const shape = fixtureFunction("behaviours", {
  name: "shape",
  routes: ["ANY /shape"],
  functionUrl: { authType: "NONE" },
  timeout: 60,
});
/** A streaming function that writes the prelude its request asks for: see test/support/prelude.mjs. */
const prelude = fixtureFunction("prelude", {
  name: "prelude",
  functionUrl: { invokeMode: "RESPONSE_STREAM", authType: "NONE" },
  timeout: 60,
});

let stack: LocalStack;
const logLines: string[] = [];
const unhandled: unknown[] = [];
const recordUnhandled = (reason: unknown) => unhandled.push(reason);

/** Every synchronous call the suite made, by front door, and the status it got (undefined: no answer). */
const calls: { door: string; what: string; status: number | undefined }[] = [];

const doors = () => ({
  "Invoke API": stack.invokeUrl,
  "HTTP API": stack.httpUrl,
  "Function URL": (stack.functionUrls.get("shape") ?? "").replace(/\/$/, ""),
  "Function URL (stream)": (stack.functionUrls.get("prelude") ?? "").replace(/\/$/, ""),
});

beforeAll(async () => {
  process.on("unhandledRejection", recordUnhandled);
  stack = await startStack({
    functions: [shape, prelude],
    hostOptions: { runner: "ric", region: REGION, maxInstances: 2, logSink: (line) => logLines.push(line) },
    invokePort: 0,
    httpPort: 0,
    functionUrlPort: 0,
    log: (line) => logLines.push(line),
  });
});

afterAll(async () => {
  await stack?.close();
  process.off("unhandledRejection", recordUnhandled);
  removeFixtureFunctions();
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** A fetch that records whether the call got an answer. */
async function call(door: string, what: string, url: string, init: RequestInit = {}): Promise<Answer> {
  try {
    const response = await fetch(url, init);
    const answer = { status: response.status, headers: response.headers, body: await response.text() };
    calls.push({ door, what, status: answer.status });
    return answer;
  } catch (error) {
    calls.push({ door, what, status: undefined });
    throw error;
  }
}

const postJson = (value: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(value),
});

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Opens a loopback socket to a front door. */
async function open(url: string): Promise<Socket> {
  const socket = connect(portOf(url), "127.0.0.1");
  socket.on("error", () => {});
  await once(socket, "connect");
  return socket;
}

/**
 * Sends raw bytes to a front door and resolves with everything it wrote back once it closed the connection (each
 * request says `Connection: close`, or is malformed enough that Node's parser answers and closes).
 */
async function rawExchange(
  door: string,
  what: string,
  url: string,
  request: string | Buffer,
): Promise<string> {
  const socket = await open(url);
  let received = "";
  socket.on("data", (chunk: Buffer) => {
    received += chunk.toString("latin1");
  });
  socket.write(request);
  await once(socket, "close");
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(received)?.[1];
  calls.push({ door, what, status: status === undefined ? undefined : Number(status) });
  return received;
}

/** The request log line of the latest call whose line starts with `prefix`. */
function lastLogLine(prefix: string): string {
  return logLines.findLast((line) => line.startsWith(prefix)) ?? "";
}

describe("malformed function results", () => {
  // Each is what a function with a bug might return. The HTTP API answers 500 and a BUFFERED Function URL 502,
  // both `{"message":"Internal Server Error"}`, and the request's log line says what was wrong.
  const malformed: [string, unknown, string][] = [
    ["a header value outside Latin-1", { statusCode: 200, headers: { "x-u": "\u2603" } }, 'header "x-u"'],
    ["a header name with a space", { statusCode: 200, headers: { "x y": "1" } }, 'header name "x y"'],
    ["a header name with a colon", { statusCode: 200, headers: { "a:b": "1" } }, 'header name "a:b"'],
    ["CR/LF in a header value", { statusCode: 200, headers: { a: "1\r\nInjected: yes" } }, 'header "a"'],
    ["a NUL in a header value", { statusCode: 200, headers: { a: "1\u0000" } }, 'header "a"'],
    ["a header value that is an object", { statusCode: 200, headers: { a: { b: 1 } } }, 'header "a"'],
    ["headers that are a list", { statusCode: 200, headers: ["a"] }, "headers must be an object"],
    ["CR/LF in a cookie", { statusCode: 200, cookies: ["a=1\r\nInjected: yes"] }, "cookie 0"],
    ["a cookie outside Latin-1", { statusCode: 200, cookies: ["ok=1", "a=\u2603"] }, "cookie 1"],
    ["cookies that are not a list", { statusCode: 200, cookies: "a=1" }, "cookies must be an array"],
    ["statusCode 99", { statusCode: 99 }, "statusCode must be"],
    ["statusCode 1000", { statusCode: 1000 }, "statusCode must be"],
    ['statusCode "abc"', { statusCode: "abc" }, "statusCode must be"],
    ["statusCode null", { statusCode: null }, "statusCode must be"],
    ["statusCode 100 (not a final response)", { statusCode: 100 }, "statusCode must be"],
    ["statusCode 250.5", { statusCode: 250.5 }, "statusCode must be"],
    ["a body that is an object", { statusCode: 200, body: { a: 1 } }, "body must be a string"],
    ["a body that is a number", { statusCode: 200, body: 42 }, "body must be a string"],
    [
      "invalid base64 with isBase64Encoded",
      { statusCode: 200, isBase64Encoded: true, body: "not base64!" },
      "not valid base64",
    ],
    [
      'isBase64Encoded "yes"',
      { statusCode: 200, isBase64Encoded: "yes", body: "" },
      "isBase64Encoded must be",
    ],
  ];

  it.each(malformed)("%s: HTTP API 500, Function URL 502, both logged", async (what, value, problem) => {
    const http = await call(
      "HTTP API",
      what,
      `${stack.httpUrl}/shape`,
      postJson({ action: "return", value }),
    );
    expect(http.status).toBe(500);
    expect(JSON.parse(http.body)).toEqual({ message: "Internal Server Error" });
    expect(http.headers.get("injected")).toBeNull();
    expect(lastLogLine("[http] POST /shape -> shape 500")).toContain(problem);

    const url = await call(
      "Function URL",
      what,
      `${doors()["Function URL"]}/x`,
      postJson({ action: "return", value }),
    );
    expect(url.status).toBe(502);
    expect(JSON.parse(url.body)).toEqual({ message: "Internal Server Error" });
    expect(lastLogLine("[url] POST /x -> shape 502")).toContain(problem);
  });

  it("a function error and a response over 6 MB: HTTP API 500, Function URL 502", async () => {
    for (const order of [{ action: "throw" }, { action: "big", bytes: 7 * 1024 * 1024 }]) {
      const what = `action ${order.action}`;
      expect((await call("HTTP API", what, `${stack.httpUrl}/shape`, postJson(order))).status).toBe(500);
      expect(lastLogLine("[http] POST /shape -> shape 500")).toContain("the function failed");
      expect((await call("Function URL", what, `${doors()["Function URL"]}/`, postJson(order))).status).toBe(
        502,
      );
    }
  });

  it("unusual but valid results pass: framing headers from the function are ignored, a 204 has no body", async () => {
    const framed = await call(
      "HTTP API",
      "framing headers",
      `${stack.httpUrl}/shape`,
      postJson({
        action: "return",
        value: {
          statusCode: 200,
          headers: { "transfer-encoding": "chunked", "content-length": "99" },
          body: "ok",
        },
      }),
    );
    expect(framed).toMatchObject({ status: 200, body: "ok" });
    expect(framed.headers.get("content-length")).toBe("2");

    for (const [door, base] of [
      ["HTTP API", `${stack.httpUrl}/shape`],
      ["Function URL", `${doors()["Function URL"]}/`],
    ] as const) {
      const request = JSON.stringify({ action: "return", value: { statusCode: 204, body: "x" } });
      const raw = await rawExchange(
        door,
        "204 with a body",
        base,
        `POST ${new URL(base).pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${request.length}\r\nConnection: close\r\n\r\n${request}`,
      );
      expect(raw).toMatch(/^HTTP\/1\.1 204 /);
      expect(raw.toLowerCase()).not.toContain("content-length");
      expect(raw.endsWith("\r\n\r\n")).toBe(true);
    }

    const large = await call(
      "HTTP API",
      "a 5 MB body",
      `${stack.httpUrl}/shape`,
      postJson({ action: "return", value: { statusCode: 200 }, bodyBytes: 5 * 1024 * 1024 }),
    );
    expect(large.status).toBe(200);
    expect(large.body.length).toBe(5 * 1024 * 1024);
    for (const value of ["just a string", null, 42]) {
      const plain = await call(
        "HTTP API",
        `a ${typeof value}`,
        `${stack.httpUrl}/shape`,
        postJson({ action: "return", value }),
      );
      expect(plain.status).toBe(200);
    }
  });
});

describe("malformed preludes on a RESPONSE_STREAM Function URL", () => {
  it.each<[string, unknown, string]>([
    [
      "a header value outside Latin-1",
      { prelude: { statusCode: 200, headers: { "x-u": "\u2603" } } },
      'header "x-u"',
    ],
    ["a header name with a space", { prelude: { headers: { "x y": "1" } } }, 'header name "x y"'],
    ["CR/LF in a cookie", { prelude: { cookies: ["a=1\r\nInjected: yes"] } }, "cookie 0"],
    ["statusCode 99", { prelude: { statusCode: 99 } }, "statusCode must be"],
    ['statusCode "abc"', { prelude: { statusCode: "abc" } }, "statusCode must be"],
    ["a prelude that is not JSON", { raw: `{not json${"\u0000".repeat(8)}body` }, "not JSON"],
    ["a prelude that is a list", { raw: `[1]${"\u0000".repeat(8)}body` }, "not a JSON object"],
    ["a prelude without its 8 NUL bytes", { raw: '{"statusCode":200}' }, "8 NUL bytes"],
  ])("%s: 502, logged", async (what, order, problem) => {
    const answer = await call(
      "Function URL (stream)",
      what,
      `${doors()["Function URL (stream)"]}/s`,
      postJson(order),
    );
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toEqual({ message: "Internal Server Error" });
    expect(answer.headers.get("injected")).toBeNull();
    expect(lastLogLine("[url] POST /s -> prelude 502")).toContain(problem);
  });

  it("a valid prelude still streams, and a 204 prelude sends no body", async () => {
    const good = await call(
      "Function URL (stream)",
      "a valid prelude",
      `${doors()["Function URL (stream)"]}/s`,
      postJson({
        prelude: { statusCode: 201, headers: { "x-a": "caf\u00e9" }, cookies: ["c=1"] },
        body: "rows",
      }),
    );
    expect(good).toMatchObject({ status: 201, body: "rows" });
    expect(good.headers.get("x-a")).toBe("caf\u00e9");
    expect(good.headers.getSetCookie()).toEqual(["c=1"]);
    const empty = await call(
      "Function URL (stream)",
      "a 204 prelude",
      `${doors()["Function URL (stream)"]}/s`,
      postJson({ prelude: { statusCode: 204 }, body: "dropped" }),
    );
    expect(empty).toMatchObject({ status: 204, body: "" });
  });
});

describe("malformed requests to the Invoke API", () => {
  // Paths, not URLs: the table is built before the stack has its port.
  const invocations = (name: string) => `/2015-03-31/functions/${name}/invocations`;
  const base64 = (text: string, encoding: BufferEncoding = "utf8") =>
    Buffer.from(text, encoding).toString("base64");

  it.each<[string, string, RequestInit, number, string]>([
    ["a name with ../", invocations("..%2Fshape"), { method: "POST" }, 400, "ValidationException"],
    ["a 1,000-character name", invocations("a".repeat(1000)), { method: "POST" }, 400, "ValidationException"],
    ["bad percent-encoding", invocations("%ZZ"), { method: "POST" }, 400, "ValidationException"],
    [
      "a qualifier with a slash",
      `${invocations("shape")}?Qualifier=a%2Fb`,
      { method: "POST" },
      400,
      "ValidationException",
    ],
    [
      "an ARN of another region",
      invocations(`arn:aws:lambda:us-west-2:${LOCAL_ACCOUNT_ID}:function:shape`),
      { method: "POST" },
      404,
      "ResourceNotFoundException",
    ],
    [
      "a partial ARN of another account",
      invocations("999999999999:function:shape"),
      { method: "POST" },
      404,
      "ResourceNotFoundException",
    ],
    [
      "a body that is not JSON",
      invocations("shape"),
      { method: "POST", body: "{not json" },
      400,
      "InvalidRequestContentException",
    ],
    [
      "a body that is not UTF-8",
      invocations("shape"),
      { method: "POST", body: Buffer.from([0xff, 0xfe, 0x7b]) },
      400,
      "InvalidRequestContentException",
    ],
    [
      "a client context that is not base64",
      invocations("shape"),
      { method: "POST", headers: { "x-amz-client-context": "%%%" } },
      400,
      "InvalidRequestContentException",
    ],
    [
      "a client context that is not UTF-8",
      invocations("shape"),
      { method: "POST", headers: { "x-amz-client-context": base64('{"w":"caf\u00e9"}', "latin1") } },
      400,
      "InvalidRequestContentException",
    ],
    [
      "a client context that is a list",
      invocations("shape"),
      { method: "POST", headers: { "x-amz-client-context": base64("[1]") } },
      400,
      "InvalidRequestContentException",
    ],
    [
      "a client context over 3583 bytes",
      invocations("shape"),
      {
        method: "POST",
        headers: { "x-amz-client-context": base64(JSON.stringify({ a: "x".repeat(3000) })) },
      },
      400,
      "InvalidParameterValueException",
    ],
    [
      "an unknown invocation type",
      invocations("shape"),
      { method: "POST", headers: { "x-amz-invocation-type": "Later" } },
      400,
      "ValidationException",
    ],
    [
      "an unknown log type",
      invocations("shape"),
      { method: "POST", headers: { "x-amz-log-type": "Head" } },
      400,
      "ValidationException",
    ],
    ["GET", invocations("shape"), { method: "GET" }, 404, "UnknownOperationException"],
    [
      "PUT with a body",
      invocations("shape"),
      { method: "PUT", body: "{}" },
      404,
      "UnknownOperationException",
    ],
  ])("%s", async (what, path, init, status, errorType) => {
    const answer = await call("Invoke API", what, `${stack.invokeUrl}${path}`, init);
    expect(answer.status).toBe(status);
    expect(answer.headers.get("x-amzn-errortype")).toBe(errorType);
  });

  it("treats an empty ?Qualifier= as unqualified and invokes $LATEST", async () => {
    const answer = await call(
      "Invoke API",
      "an empty qualifier",
      `${stack.invokeUrl}${invocations("shape")}?Qualifier=`,
      {
        method: "POST",
        body: JSON.stringify({ action: "return", value: "latest" }),
      },
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toBe("latest");
  });

  it("hands a client context with non-ASCII text to the function exactly", async () => {
    const context = { custom: { latin1: "caf\u00e9", snowman: "\u2603", emoji: "\u{1F600}", del: "\u007f" } };
    for (const text of [JSON.stringify(context), JSON.stringify(context, null, 2)]) {
      const answer = await call(
        "Invoke API",
        "a non-ASCII client context",
        `${stack.invokeUrl}${invocations("shape")}`,
        {
          method: "POST",
          headers: { "x-amz-client-context": base64(text) },
          body: JSON.stringify({ action: "echo" }),
        },
      );
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body).context.clientContext).toEqual(context);
    }
  });

  it("answers a request target that is no URL path (//) with 404 UnknownOperationException, not 500", async () => {
    const raw = await rawExchange(
      "Invoke API",
      "POST //",
      stack.invokeUrl,
      "POST // HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    );
    expect(raw).toMatch(/^HTTP\/1\.1 404 /);
    expect(raw.toLowerCase()).toContain("x-amzn-errortype: unknownoperationexception");
  });

  it("answers DryRun with 204, no body and no content-length", async () => {
    const raw = await rawExchange(
      "Invoke API",
      "DryRun",
      stack.invokeUrl,
      "POST /2015-03-31/functions/shape/invocations HTTP/1.1\r\nHost: x\r\nX-Amz-Invocation-Type: DryRun\r\n" +
        "Content-Length: 2\r\nConnection: close\r\n\r\n{}",
    );
    expect(raw).toMatch(/^HTTP\/1\.1 204 /);
    expect(raw.toLowerCase()).not.toContain("content-length");
  });
});

describe("malformed requests over raw sockets, at every front door", () => {
  const request = (head: string, body = "") =>
    `${head}\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
  // What Node's HTTP parser refuses before any front door sees the request, and the status it answers.
  const refused: [string, string | Buffer, number][] = [
    ["an unknown method", request("BREW /shape HTTP/1.1"), 400],
    ["binary garbage", Buffer.from([0, 1, 2, 3, 13, 10, 13, 10]), 400],
    ["a header over 16 KB", `GET /shape HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, 431],
    ["a header name with a space", "GET /shape HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400],
    ["a DEL in a header value", "GET /shape HTTP/1.1\r\nHost: x\r\nX-A: a\u007fb\r\n\r\n", 400],
    [
      "a Content-Length that is not a number",
      "POST /shape HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
      400,
    ],
    [
      "both Content-Length and Transfer-Encoding",
      "POST /shape HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}",
      400,
    ],
    [
      "a chunk size that is not hex",
      "POST /shape HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
      400,
    ],
    ["no Host header", "GET /shape HTTP/1.1\r\nConnection: close\r\n\r\n", 400],
  ];
  // Odd but well-formed: the front door itself answers, whatever it makes of them.
  const odd: [string, string | Buffer][] = [
    ["an empty path", request("GET // HTTP/1.1")],
    ["a path with bad percent-encoding", request("GET /shape/%ZZ?x=%ZZ HTTP/1.1")],
    ["a path with bytes that are not UTF-8", Buffer.from(request("GET /\xff\xfe HTTP/1.1"), "latin1")],
    ["an absolute URL", request("GET http://elsewhere/shape HTTP/1.1")],
    ["OPTIONS *", request("OPTIONS * HTTP/1.1")],
    ["PROPFIND", request("PROPFIND /shape HTTP/1.1")],
    ["a body that is not JSON", request("POST /shape HTTP/1.1", "{not json")],
    [
      "a chunked body",
      "POST /shape HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    ],
    ["HTTP/1.0", "GET /shape HTTP/1.0\r\n\r\n"],
  ];

  it.each(refused)(
    "%s: every door answers with its status and keeps serving",
    async (what, bytes, status) => {
      for (const [door, url] of Object.entries(doors())) {
        const raw = await rawExchange(door, what, url, bytes);
        expect(raw, `${door}: ${raw.slice(0, 200)}`).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      }
    },
  );

  it.each(odd)("%s: every door answers", async (what, bytes) => {
    for (const [door, url] of Object.entries(doors())) {
      const raw = await rawExchange(door, what, url, bytes);
      expect(raw, `${door}: ${raw.slice(0, 200)}`).toMatch(/^HTTP\/1\.[01] [1-5]\d\d /);
    }
  });
});

describe("slow and vanishing clients", () => {
  it("a client that sends half a request, or half a body, then goes: nothing breaks", async () => {
    for (const url of Object.values(doors())) {
      const half = await open(url);
      half.write("POST /shape HTTP/1.1\r\nHost: x\r\nContent-Le");
      half.destroy();
      await once(half, "close");
      const partBody = await open(url);
      partBody.write(
        "POST /shape HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
      );
      partBody.destroy();
      await once(partBody, "close");
    }
    await expectAllDoorsServe("after vanishing clients");
  });

  it("a client that is mid-request or never reads its answer holds up no one else", async () => {
    // Headers begun, never finished: the door waits for the rest while it serves everyone else.
    const slow = await Promise.all(Object.values(doors()).map(open));
    for (const socket of slow) socket.write("POST /shape HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    // Asks for a 5 MB answer (buffered, and streamed) and never reads it.
    const big = JSON.stringify({ action: "return", value: { statusCode: 200 }, bodyBytes: 5 * 1024 * 1024 });
    const streamed = JSON.stringify({ prelude: { statusCode: 200 }, bodyBytes: 5 * 1024 * 1024 });
    const readers: Socket[] = [];
    for (const [url, path, body] of [
      [stack.httpUrl, "/shape", big],
      [doors()["Function URL"], "/", big],
      [doors()["Function URL (stream)"], "/", streamed],
    ] as const) {
      const socket = await open(url);
      socket.pause();
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\n\r\n${body}`,
      );
      readers.push(socket);
    }
    await expectAllDoorsServe("while clients stall");
    for (const socket of [...slow, ...readers]) socket.destroy();
    await Promise.all(
      [...slow, ...readers].map((socket) => (socket.closed ? undefined : once(socket, "close"))),
    );
    await expectAllDoorsServe("after the stalled clients left");
  });
});

/** A plain call through every door answers normally. */
async function expectAllDoorsServe(when: string): Promise<void> {
  const invoke = await call(
    "Invoke API",
    `plain invoke ${when}`,
    `${stack.invokeUrl}/2015-03-31/functions/shape/invocations`,
    {
      method: "POST",
      body: JSON.stringify({ action: "return", value: { alive: true } }),
    },
  );
  expect(invoke.status).toBe(200);
  expect(JSON.parse(invoke.body)).toEqual({ alive: true });
  const alive = { action: "return", value: { statusCode: 200, body: "alive" } };
  expect(
    await call("HTTP API", `plain request ${when}`, `${stack.httpUrl}/shape`, postJson(alive)),
  ).toMatchObject({
    status: 200,
    body: "alive",
  });
  expect(
    await call("Function URL", `plain request ${when}`, `${doors()["Function URL"]}/`, postJson(alive)),
  ).toMatchObject({
    status: 200,
    body: "alive",
  });
  const stream = { prelude: { statusCode: 200 }, body: "alive" };
  expect(
    await call(
      "Function URL (stream)",
      `plain request ${when}`,
      `${doors()["Function URL (stream)"]}/`,
      postJson(stream),
    ),
  ).toMatchObject({ status: 200, body: "alive" });
}

describe("afterwards", () => {
  it("the stack still serves, every synchronous call got an answer, and nothing was left unhandled", async () => {
    await expectAllDoorsServe("at the end");
    const byDoor = new Map<string, { calls: number; answered: number }>();
    for (const { door, status } of calls) {
      const counts = byDoor.get(door) ?? { calls: 0, answered: 0 };
      counts.calls++;
      if (status !== undefined) counts.answered++;
      byDoor.set(door, counts);
    }
    console.log(
      `robustness: ${[...byDoor].map(([door, { calls, answered }]) => `${door} ${answered}/${calls} answered`).join(", ")}`,
    );
    expect(calls.filter((entry) => entry.status === undefined)).toEqual([]);
    expect(calls.length).toBeGreaterThan(100);
    expect(unhandled).toEqual([]);
  });
});
