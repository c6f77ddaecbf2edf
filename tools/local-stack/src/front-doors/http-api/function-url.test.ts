/**
 * A BUFFERED Function URL in front of in-process hosts (the front door alone); ../stack.test.ts streams through
 * the real engine.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInProcessHost } from "../../../test/support/in-process-host.js";
import { addTestFunction, createTestWorkspace } from "../../../test/support/test-workspace.js";
import type { HttpApiEventV2 } from "./event.js";
import { createFunctionUrlListener } from "./function-url.js";

const root = createTestWorkspace();
const events: HttpApiEventV2[] = [];
const open = createInProcessHost(
  addTestFunction(root, { name: "open", lambda: { functionUrl: { authType: "NONE" } } }),
  (event) => {
    const httpEvent = event as HttpApiEventV2;
    events.push(httpEvent);
    if (httpEvent.rawPath === "/fail") throw new Error("failed on purpose");
    if (httpEvent.rawPath === "/plain") return { hello: "url" };
    if (httpEvent.rawPath === "/shape") return JSON.parse(httpEvent.body ?? "null");
    return {
      statusCode: 201,
      headers: { "x-path": httpEvent.rawPath },
      cookies: ["a=1", "b=2"],
      body: "made",
    };
  },
);
const signed = createInProcessHost(
  addTestFunction(root, { name: "signed", lambda: { functionUrl: {} } }),
  (event) => (event as HttpApiEventV2).requestContext.accountId,
);

const servers: Server[] = [];
const logLines: string[] = [];
const urls: Record<string, string> = {};

beforeAll(async () => {
  for (const host of [open, signed]) {
    const server = createServer(
      createFunctionUrlListener({ host, accountId: "123456789012", log: (line) => logLines.push(line) }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    urls[host.definition.name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe("a BUFFERED Function URL", () => {
  it("sends every path and method to the function with routeKey $default and maps a structured answer", async () => {
    const response = await fetch(`${urls.open}/any/path?x=1`, { method: "DELETE" });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-path")).toBe("/any/path");
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await response.text()).toBe("made");
    const event = events.at(-1);
    expect(event).toMatchObject({
      routeKey: "$default",
      rawPath: "/any/path",
      rawQueryString: "x=1",
      requestContext: { routeKey: "$default", stage: "$default", apiId: "open", http: { method: "DELETE" } },
    });
    expect(event).not.toHaveProperty("pathParameters");
  });

  it("answers JSON without statusCode as 200 application/json", async () => {
    const response = await fetch(`${urls.open}/plain`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ hello: "url" });
  });

  it("answers a function error with 502", async () => {
    const response = await fetch(`${urls.open}/fail`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ message: "Internal Server Error" });
  });

  it("answers 502 for a header HTTP cannot carry, logs why and keeps serving", async () => {
    const response = await fetch(`${urls.open}/shape`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ statusCode: 200, headers: { "x-u": "\u2603" }, cookies: ["a=1"] }),
    });
    expect(response.status).toBe(502);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await response.json()).toEqual({ message: "Internal Server Error" });
    expect(logLines.at(-1)).toMatch(
      /^\[url\] POST \/shape -> open 502 \(header "x-u" has a value HTTP cannot carry/,
    );
    expect((await fetch(`${urls.open}/plain`)).status).toBe(200);
  });

  it("names the caller's account for AWS_IAM and 'anonymous' for NONE", async () => {
    expect(await (await fetch(`${urls.signed}/`)).text()).toBe("123456789012");
    await fetch(`${urls.open}/plain`);
    expect(events.at(-1)?.requestContext.accountId).toBe("anonymous");
  });
});
