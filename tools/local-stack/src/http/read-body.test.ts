import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type ReadBody, readBody } from "./read-body.js";

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server whose every request body goes through readBody with `limit`; resolves with what it gave. */
async function serve(limit: number): Promise<{ port: number; read: Promise<ReadBody> }> {
  let settle: { resolve: (value: ReadBody) => void; reject: (error: unknown) => void } | undefined;
  const read = new Promise<ReadBody>((resolve, reject) => (settle = { resolve, reject }));
  server = createServer((req, res) => {
    readBody(req, limit).then(
      (body) => {
        settle?.resolve(body);
        res.end("ok");
      },
      (error: unknown) => settle?.reject(error),
    );
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, read };
}

function post(
  port: number,
  chunks: readonly string[],
  headers: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ port, host: "127.0.0.1", method: "POST", headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe("readBody", () => {
  it("reads a chunked body whole", async () => {
    const { port, read } = await serve(1024);
    await post(port, ["hello, ", "world"]);
    const body = await read;
    expect(body.body.toString()).toBe("hello, world");
    expect(body).toMatchObject({ size: 12, tooLarge: false });
  });

  it("reads a body over the limit to its end, keeps none of it and counts every byte", async () => {
    const { port, read } = await serve(4);
    expect(await post(port, ["12345", "6789"])).toBe(200);
    const body = await read;
    expect(body).toMatchObject({ size: 9, tooLarge: true });
    expect(body.body.length).toBe(0);
  });

  it("takes a body of exactly the limit", async () => {
    const { port, read } = await serve(5);
    await post(port, ["12345"]);
    expect(await read).toMatchObject({ size: 5, tooLarge: false });
  });

  it("rejects a request cut off before its body ends", async () => {
    const { port, read } = await serve(1024);
    const req = httpRequest({
      port,
      host: "127.0.0.1",
      method: "POST",
      headers: { "content-length": "100" },
    });
    req.on("error", () => undefined);
    req.write("only ten b", () => setTimeout(() => req.destroy(), 50));
    await expect(read).rejects.toThrow();
  });
});
