import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  eventLoader,
  functionEnvironment,
  lambdaContext as makeLambdaContext,
  stubLogLevel,
} from "@lambda-images/vitest-config/lambda";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import sharp from "sharp";
import { afterEach, describe, expect, it, vi } from "vitest";

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const loadEvent: (file: string) => APIGatewayProxyEventV2 = eventLoader(import.meta.url);
const lambdaContext = (): Context =>
  makeLambdaContext({ functionName: "thumbnail", memoryLimitInMB: 1024, timeoutSeconds: 15 });

/** The environment the function's config gives it (package.json "lambda.environment"), as Lambda would set it. */
const configEnvironment = functionEnvironment(import.meta.url);

function stubConfigEnvironment(): void {
  for (const [name, value] of Object.entries(configEnvironment)) vi.stubEnv(name, value);
}

/** The JSON lines written to stdout while `run` runs (logs and Embedded Metric Format lines). */
async function stdoutJson(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return chunks
    .join("")
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function freshHandler(): Promise<Handler> {
  vi.resetModules();
  const module: { handler: Handler } = await import("./index.js");
  return module.handler;
}

/** The event a caller's POST /thumbnail?<query> with `image` as the body becomes. */
function postImage(image: Buffer, query: Record<string, string>): APIGatewayProxyEventV2 {
  const event = loadEvent("png-to-webp.json");
  return {
    ...event,
    rawQueryString: new URLSearchParams(query).toString(),
    queryStringParameters: query,
    body: image.toString("base64"),
    isBase64Encoded: true,
  };
}

/** The image a 200 reply carries, as API Gateway would send it: the base64 body decoded. */
async function replyImage(reply: APIGatewayProxyStructuredResultV2) {
  expect(reply.statusCode).toBe(200);
  expect(reply.isBase64Encoded).toBe(true);
  const bytes = Buffer.from(String(reply.body), "base64");
  const { format, width, height } = await sharp(bytes).metadata();
  return { contentType: reply.headers?.["content-type"], format, width, height };
}

function jsonMessage(reply: APIGatewayProxyStructuredResultV2, statusCode: number): string {
  expect(reply.statusCode).toBe(statusCode);
  expect(reply.headers?.["content-type"]).toBe("application/json");
  expect(reply.isBase64Encoded).toBe(false);
  return (JSON.parse(String(reply.body)) as { message: string }).message;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("handler with the checked-in events", () => {
  it("turns the posted PNG into a 160-pixel WebP", async () => {
    const handler = await freshHandler();
    const reply = await handler(loadEvent("png-to-webp.json"), lambdaContext());
    expect(await replyImage(reply)).toEqual({
      contentType: "image/webp",
      format: "webp",
      width: 160,
      height: 120,
    });
    expect(reply.headers?.["x-thumbnail-size"]).toBe("160x120");
  });

  it("turns the posted JPEG into a 100-pixel PNG", async () => {
    const handler = await freshHandler();
    const reply = await handler(loadEvent("jpeg-to-png.json"), lambdaContext());
    expect(await replyImage(reply)).toEqual({
      contentType: "image/png",
      format: "png",
      width: 100,
      height: 75,
    });
  });

  it("answers 400 to a body that is not an image", async () => {
    const handler = await freshHandler();
    expect(jsonMessage(await handler(loadEvent("not-an-image.json"), lambdaContext()), 400)).toBe(
      "The body is not an image this function can read (jpeg, png, webp, gif, avif, heif, tiff).",
    );
  });

  it("answers 400 to a body sent as text", async () => {
    const handler = await freshHandler();
    expect(jsonMessage(await handler(loadEvent("text-body.json"), lambdaContext()), 400)).toMatch(
      /^The body arrived as text, so it is not an image/,
    );
  });

  it("answers 400 to a width out of range", async () => {
    const handler = await freshHandler();
    expect(jsonMessage(await handler(loadEvent("width-too-large.json"), lambdaContext()), 400)).toBe(
      'Query parameter "width" is 5000; it must be from 16 to 1024.',
    );
  });

  it("answers 405 with an Allow header to GET", async () => {
    const handler = await freshHandler();
    const reply = await handler(loadEvent("get-thumbnail.json"), lambdaContext());
    expect(jsonMessage(reply, 405)).toBe(
      "/thumbnail only answers POST requests with an image body, not GET.",
    );
    expect(reply.headers?.allow).toBe("POST");
  });

  it("answers 405 with Allow: POST to every other method", async () => {
    const handler = await freshHandler();
    for (const method of ["PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]) {
      const event = loadEvent("png-to-webp.json");
      const other = {
        ...event,
        // A HEAD request has no body (and Powertools' router refuses a GET or HEAD event that has one).
        ...(method === "HEAD" ? { body: undefined, isBase64Encoded: false } : {}),
        requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method } },
      };
      const reply = await handler(other, lambdaContext());
      expect(jsonMessage(reply, 405)).toBe(
        `/thumbnail only answers POST requests with an image body, not ${method}.`,
      );
      expect(reply.headers?.allow).toBe("POST");
    }
  });

  it("answers 404 to any other path", async () => {
    const handler = await freshHandler();
    const event = { ...loadEvent("png-to-webp.json"), rawPath: "/thumbnails" };
    const reply = await handler(event, lambdaContext());
    expect(jsonMessage(reply, 404)).toBe(
      "No route for /thumbnails. Send the image to POST /thumbnail?width=200.",
    );
    expect(reply.headers?.allow).toBeUndefined();
  });
});

describe("handler with images made in the test", () => {
  it("keeps the aspect ratio of a tall image", async () => {
    const tall = await sharp({ create: { width: 300, height: 900, channels: 4, background: "#3366ffcc" } })
      .png()
      .toBuffer();
    const handler = await freshHandler();
    const reply = await handler(postImage(tall, { width: "60", format: "png" }), lambdaContext());
    expect(await replyImage(reply)).toEqual({
      contentType: "image/png",
      format: "png",
      width: 60,
      height: 180,
    });
  });

  it("answers 413 to a body over 4 MiB", async () => {
    const handler = await freshHandler();
    const reply = await handler(postImage(randomBytes(4 * 1024 * 1024 + 1), {}), lambdaContext());
    expect(jsonMessage(reply, 413)).toMatch(/^The image is 4194305 bytes; the limit is 4194304 bytes/);
  });

  it("throws, saying what it expected, when the event is not an HTTP API event", async () => {
    const handler = await freshHandler();
    const notHttp = { Records: [] } as unknown as APIGatewayProxyEventV2;
    await expect(handler(notHttp, lambdaContext())).rejects.toThrow(/^Expected an API Gateway HTTP API/);
  });

  it("answers 500 without details when something unexpected fails, and logs the error", async () => {
    vi.stubEnv("AWS_LAMBDA_LOG_LEVEL", "");
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "");
    vi.stubEnv("LOG_LEVEL", "ERROR");
    const handler = await freshHandler();
    const event = loadEvent("png-to-webp.json");
    event.queryStringParameters = new Proxy(
      {},
      {
        get(target, key) {
          if (key === "width") throw new TypeError("query string exploded");
          return Reflect.get(target, key);
        },
      },
    );
    const errors: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    });
    const reply = await handler(event, lambdaContext());
    expect(jsonMessage(reply, 500)).toBe("Internal Server Error");
    expect(reply.body).not.toContain("exploded");
    expect(JSON.parse(errors.join("").trim())).toMatchObject({
      level: "ERROR",
      message: "Unexpected failure",
      error: { name: "TypeError", message: "query string exploded" },
    });
  });

  it("logs the source and thumbnail sizes", async () => {
    stubLogLevel("INFO");
    const handler = await freshHandler();
    const lines = await stdoutJson(() => handler(loadEvent("jpeg-to-png.json"), lambdaContext()));
    const logs = lines.filter((line) => !("_aws" in line));
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      message: "Thumbnail made",
      source: { format: "jpeg", width: 400, height: 300 },
      thumbnail: { format: "png", width: 100, height: 75 },
    });
  });
});

describe("handler metrics", () => {
  it("writes one Embedded Metric Format line per thumbnail made, with its size, under the config's namespace", async () => {
    expect(configEnvironment).toMatchObject({
      POWERTOOLS_METRICS_NAMESPACE: "LambdaImages",
      POWERTOOLS_SERVICE_NAME: "thumbnail",
    });
    stubConfigEnvironment();
    stubLogLevel("SILENT");
    const handler = await freshHandler();
    const replies: APIGatewayProxyStructuredResultV2[] = [];
    const lines = await stdoutJson(async () => {
      for (const file of [
        "png-to-webp.json",
        "jpeg-to-png.json",
        "not-an-image.json",
        "get-thumbnail.json",
      ]) {
        replies.push(await handler(loadEvent(file), lambdaContext()));
      }
    });
    expect(replies.map((reply) => reply.statusCode)).toEqual([200, 200, 400, 405]);
    const bytes = replies.slice(0, 2).map((reply) => Buffer.from(String(reply.body), "base64").length);
    expect(lines).toEqual(
      ["webp", "png"].map((format, index) => ({
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: "LambdaImages",
              Dimensions: [["service", "format"]],
              Metrics: [
                { Name: "thumbnails", Unit: "Count" },
                { Name: "thumbnailBytes", Unit: "Bytes" },
              ],
            },
          ],
        },
        service: "thumbnail",
        format,
        thumbnails: 1,
        thumbnailBytes: bytes[index],
      })),
    );
    expect(bytes.every((size) => size > 0)).toBe(true);
  });
});

describe("the built bundle (dist/index.mjs)", () => {
  it("leaves sharp out (it is installed in the image) and answers every event as the source does", async () => {
    const bundle = fileURLToPath(new URL("../dist/index.mjs", import.meta.url));
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run pnpm build first`);
    expect(readFileSync(bundle, "utf8")).toMatch(/from\s*"sharp"/);
    const built: { handler: Handler } = await import(pathToFileURL(bundle).href);
    const source = await freshHandler();
    for (const file of ["png-to-webp.json", "jpeg-to-png.json", "not-an-image.json", "get-thumbnail.json"]) {
      const expected = await source(loadEvent(file), lambdaContext());
      expect(await built.handler(loadEvent(file), lambdaContext()), file).toEqual(expected);
    }
  });
});
