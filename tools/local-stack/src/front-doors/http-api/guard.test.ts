/** The front doors' last-resort guard, on a real server: a failing answer still ends its request, and is reported. */
import { createServer, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardRequest } from "./guard.js";

type Answer = (response: ServerResponse) => Promise<string>;

const answers = new Map<string, Answer>();
const summaries: string[] = [];
let server: Server;

function fallback(response: ServerResponse): string {
  response.writeHead(500, { "content-type": "text/plain" }).end("fallback");
  return "500";
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const answer = answers.get(request.url ?? "") ?? (async () => "unknown");
    void guardRequest(response, () => answer(response), fallback).then((summary) => summaries.push(summary));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Sends a GET on a fresh socket; resolves with what the server wrote before the connection ended. */
function get(path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1", () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    );
    let received = "";
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve(received));
  });
}

describe("guardRequest", () => {
  it("passes the answer's summary on", async () => {
    answers.set("/fine", async (response) => {
      response.end("fine");
      return "200";
    });
    expect(await get("/fine")).toContain("fine");
    expect(summaries.at(-1)).toBe("200");
  });

  it("answers with the fallback when the answer fails before any header was sent, and says why", async () => {
    answers.set("/early", async (response) => {
      response.writeHead(200, { "x-kept": "no", "x-bad": "\u2603" });
      return "never";
    });
    const received = await get("/early");
    expect(received).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
    expect(received).not.toContain("x-kept");
    expect(received).toContain("fallback");
    expect(summaries.at(-1)).toMatch(/^500 \(Invalid character in header content \["x-bad"\]\)$/);
  });

  it("cuts the connection when the answer fails after the headers were sent", async () => {
    answers.set("/late", async (response) => {
      response.writeHead(200, { "content-length": "100" });
      response.write("partial");
      throw new Error("lost the function's stream");
    });
    const received = await get("/late");
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received.endsWith("partial")).toBe(true);
    expect(summaries.at(-1)).toBe(
      "connection closed after the headers were sent (lost the function's stream)",
    );
  });
});
