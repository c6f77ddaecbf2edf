import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { eventLoader, lambdaContext as makeLambdaContext } from "@lambda-images/vitest-config/lambda";
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
  expect(reply.isBase64Encoded).toBeUndefined();
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

  it("explains what it expected when the event is not an HTTP API event", async () => {
    const handler = await freshHandler();
    const notHttp = { Records: [] } as unknown as APIGatewayProxyEventV2;
    expect(jsonMessage(await handler(notHttp, lambdaContext()), 400)).toMatch(
      /^Expected an API Gateway HTTP API/,
    );
  });

  it("answers 500 without details when something unexpected fails, and logs the error", async () => {
    vi.stubEnv("AWS_LAMBDA_LOG_LEVEL", "");
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "");
    vi.stubEnv("LOG_LEVEL", "ERROR");
    const handler = await freshHandler();
    const event = loadEvent("png-to-webp.json");
    Object.defineProperty(event, "body", {
      get() {
        throw new TypeError("body exploded");
      },
    });
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
      error: { name: "TypeError", message: "body exploded" },
    });
  });

  it("logs the source and thumbnail sizes", async () => {
    vi.stubEnv("AWS_LAMBDA_LOG_LEVEL", "");
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "");
    vi.stubEnv("LOG_LEVEL", "INFO");
    const handler = await freshHandler();
    const lines: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    await handler(loadEvent("jpeg-to-png.json"), lambdaContext());
    const log = JSON.parse(lines.join("").trim()) as Record<string, unknown>;
    expect(log).toMatchObject({
      message: "Thumbnail made",
      source: { format: "jpeg", width: 400, height: 300 },
      thumbnail: { format: "png", width: 100, height: 75 },
    });
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
