/**
 * The gateway's HTTP behaviour with in-process hosts (the front door alone); ../stack.test.ts runs the same
 * requests through the real engine.
 */
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInProcessHost } from "../../../test/support/in-process-host.js";
import { addTestFunction, createTestWorkspace } from "../../../test/support/test-workspace.js";
import type { HttpApiEventV2 } from "./event.js";
import { buildRouteTable } from "./routes.js";
import { createHttpApiListener, HTTP_API_PAYLOAD_BYTES } from "./server.js";

const root = createTestWorkspace();
const echoFn = addTestFunction(root, {
  name: "echo",
  lambda: { routes: ["ANY /echo/{proxy+}", "POST /upload"] },
});
const failFn = addTestFunction(root, { name: "fail", lambda: { routes: ["GET /fail", "GET /bad-status"] } });
const cookieFn = addTestFunction(root, { name: "cookies", lambda: { routes: ["GET /cookies"] } });
const shapeFn = addTestFunction(root, { name: "shape", lambda: { routes: ["POST /shape"] } });

const events: HttpApiEventV2[] = [];
const echo = createInProcessHost(echoFn, (event) => {
  const httpEvent = event as HttpApiEventV2;
  events.push(httpEvent);
  if (httpEvent.rawPath === "/upload") {
    return {
      statusCode: 200,
      headers: { "content-type": "application/octet-stream" },
      body: httpEvent.body,
      isBase64Encoded: httpEvent.isBase64Encoded,
    };
  }
  return { path: httpEvent.pathParameters, query: httpEvent.queryStringParameters };
});
const fail = createInProcessHost(failFn, (event) => {
  if ((event as HttpApiEventV2).rawPath === "/bad-status") return { statusCode: "teapot" };
  throw new Error("broken");
});
const cookies = createInProcessHost(cookieFn, () => ({
  statusCode: 302,
  headers: { Location: "/elsewhere" },
  cookies: ["session=abc; HttpOnly", "theme=dark"],
}));

/** Returns whatever the request's JSON body says, as a function with a bug might. */
const shape = createInProcessHost(shapeFn, (event) => JSON.parse((event as HttpApiEventV2).body ?? "null"));

let server: Server;
let base: string;
const logLines: string[] = [];

beforeAll(async () => {
  const listener = createHttpApiListener({
    hosts: new Map([
      ["echo", echo],
      ["fail", fail],
      ["cookies", cookies],
      ["shape", shape],
    ]),
    routes: buildRouteTable([echoFn, failFn, cookieFn, shapeFn]),
    accountId: "012345678912",
    apiId: "local",
    log: (line) => logLines.push(line),
  });
  server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

/** Sends `request` on a fresh socket and returns everything the server wrote before closing it. */
function rawExchange(target: Server, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect((target.address() as AddressInfo).port, "127.0.0.1", () => socket.write(request));
    let received = "";
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
  });
}

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("HTTP API gateway", () => {
  it("routes by path variable, sends a payload 2.0 event and returns a plain object as 200 JSON", async () => {
    const response = await fetch(`${base}/echo/a/b%20c?x=1&x=2`, { headers: { "X-Thing": "yes" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ path: { proxy: "a/b c" }, query: { x: "1,2" } });
    const event = events.at(-1);
    expect(event?.routeKey).toBe("ANY /echo/{proxy+}");
    expect(event?.rawPath).toBe("/echo/a/b%20c");
    expect(event?.rawQueryString).toBe("x=1&x=2");
    expect(event?.headers["x-thing"]).toBe("yes");
    expect(event?.requestContext.http.method).toBe("GET");
    expect(response.headers.get("apigw-requestid")).toBe(event?.requestContext.requestId);
  });

  it("answers 404 Not Found for a path no function claims", async () => {
    const response = await fetch(`${base}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: "Not Found" });
  });

  it("answers 404 when the path exists but not for that method", async () => {
    const response = await fetch(`${base}/upload`);
    expect(response.status).toBe(404);
  });

  it("answers 500 Internal Server Error when the function fails or returns an unusable response", async () => {
    for (const path of ["/fail", "/bad-status"]) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ message: "Internal Server Error" });
    }
    expect(logLines.some((line) => line.includes("GET /fail -> fail 500") && line.includes("broken"))).toBe(
      true,
    );
  });

  it("sends each cookie as its own set-cookie header and keeps other headers", async () => {
    const response = await fetch(`${base}/cookies`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/elsewhere");
    expect(response.headers.getSetCookie()).toEqual(["session=abc; HttpOnly", "theme=dark"]);
  });

  it("base64-encodes a binary request body and decodes a base64 response body", async () => {
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255, 0x89, 0x50]);
    const response = await fetch(`${base}/upload`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: bytes,
    });
    expect(response.status).toBe(200);
    expect(events.at(-1)?.isBase64Encoded).toBe(true);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  it("refuses a body over HTTP API's 10 MB limit with 413", async () => {
    const response = await fetch(`${base}/upload`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "z".repeat(HTTP_API_PAYLOAD_BYTES + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: "Request Entity Too Large" });
  });

  it("answers 500 when the event would be over Lambda's 6 MB invoke limit", async () => {
    const before = echo.requests.length;
    const response = await fetch(`${base}/upload`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "z".repeat(7 * 1024 * 1024),
    });
    expect(response.status).toBe(500);
    expect(echo.requests.length).toBe(before);
  });

  it.each([
    ["a header value outside Latin-1", { headers: { "x-u": "\u2603" } }, 'header "x-u"'],
    ["a header name with a space", { headers: { "x y": "1" } }, 'header name "x y"'],
    ["CR/LF in a header value", { headers: { a: "1\r\nInjected: yes" } }, 'header "a"'],
    ["CR/LF in a cookie", { cookies: ["a=1\r\nInjected: yes"] }, "cookie"],
  ])("answers 500 for %s, logs why and keeps serving", async (_case, answer, problem) => {
    const response = await fetch(`${base}/shape`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ statusCode: 200, body: "never sent", ...answer }),
    });
    expect(response.status).toBe(500);
    expect(response.headers.get("injected")).toBeNull();
    expect(await response.json()).toEqual({ message: "Internal Server Error" });
    const line = logLines.findLast((entry) => entry.startsWith("[http] POST /shape -> shape 500"));
    expect(line).toContain(problem);
    expect((await fetch(`${base}/echo/still/here`)).status).toBe(200);
  });

  it("sends a 204 without content-length or body, even when the function returns one", async () => {
    const head = await rawExchange(
      server,
      'POST /shape HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 33\r\nConnection: close\r\n\r\n{"statusCode":204,"body":"x"}    ',
    );
    expect(head).toMatch(/^HTTP\/1\.1 204 /);
    expect(head.toLowerCase()).not.toContain("content-length");
    expect(head.endsWith("\r\n\r\n")).toBe(true);
  });
});
