import { describe, expect, it } from "vitest";
import {
  DEFAULT_FORMAT,
  DEFAULT_WIDTH,
  decodeBody,
  MAX_INPUT_BYTES,
  MAX_WIDTH,
  MIN_WIDTH,
  type Outcome,
  parseOptions,
} from "./request.js";

function succeeded<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`expected a value, got ${outcome.status} "${outcome.error}"`);
  return outcome.value;
}

function failureOf<T>(outcome: Outcome<T>): { status: number; error: string } {
  if (outcome.ok) throw new Error("expected a failure");
  return { status: outcome.status, error: outcome.error };
}

describe("parseOptions", () => {
  it("defaults to 200 pixels wide, WebP", () => {
    expect({ DEFAULT_WIDTH, DEFAULT_FORMAT }).toEqual({ DEFAULT_WIDTH: 200, DEFAULT_FORMAT: "webp" });
    for (const query of [undefined, {}, { width: " ", format: "" }]) {
      expect(succeeded(parseOptions(query))).toEqual({ width: 200, format: "webp" });
    }
  });

  it("reads width and format, in any case, trimmed", () => {
    expect(succeeded(parseOptions({ width: " 64 ", format: "PNG" }))).toEqual({ width: 64, format: "png" });
    expect(succeeded(parseOptions({ format: "webp" })).format).toBe("webp");
  });

  it(`accepts widths from ${MIN_WIDTH} to ${MAX_WIDTH} and refuses one past either end`, () => {
    expect(succeeded(parseOptions({ width: String(MIN_WIDTH) })).width).toBe(MIN_WIDTH);
    expect(succeeded(parseOptions({ width: String(MAX_WIDTH) })).width).toBe(MAX_WIDTH);
    expect(failureOf(parseOptions({ width: String(MIN_WIDTH - 1) }))).toEqual({
      status: 400,
      error: 'Query parameter "width" is 15; it must be from 16 to 1024.',
    });
    expect(failureOf(parseOptions({ width: String(MAX_WIDTH + 1) })).error).toBe(
      'Query parameter "width" is 1025; it must be from 16 to 1024.',
    );
  });

  it("refuses a width that is not a whole number, quoting it", () => {
    for (const width of ["wide", "-20", "20.5", "1e2"]) {
      expect(failureOf(parseOptions({ width }))).toEqual({
        status: 400,
        error: `Query parameter "width" must be a whole number of pixels, not "${width}".`,
      });
    }
  });

  it("refuses formats it does not write, naming the ones it does", () => {
    for (const format of ["jpeg", "gif", "svg"]) {
      expect(failureOf(parseOptions({ format }))).toEqual({
        status: 400,
        error: `Query parameter "format" must be webp or png, not "${format}".`,
      });
    }
  });
});

describe("decodeBody", () => {
  it("decodes a base64 body to the exact bytes", () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255, 128]);
    expect(succeeded(decodeBody(bytes.toString("base64"), true)).equals(bytes)).toBe(true);
  });

  it("asks for a body when there is none", () => {
    for (const body of [undefined, ""]) {
      const { status, error } = failureOf(decodeBody(body, true));
      expect(status).toBe(400);
      expect(error).toMatch(/^The request has no body: send the image itself as the body/);
    }
  });

  it("refuses a body API Gateway passed on as text", () => {
    const { status, error } = failureOf(decodeBody('{"image":"photo.jpg"}', false));
    expect(status).toBe(400);
    expect(error).toMatch(/^The body arrived as text, so it is not an image: .*content-type: image\/jpeg/);
    expect(failureOf(decodeBody("aGVsbG8=", undefined)).status).toBe(400);
  });

  it("refuses a body that is not valid base64", () => {
    for (const body of ["not base64!", "abc", "ab=c"]) {
      expect(failureOf(decodeBody(body, true))).toEqual({
        status: 400,
        error: "The body is marked base64-encoded but is not valid base64.",
      });
    }
  });

  it(`accepts ${MAX_INPUT_BYTES} bytes and answers 413 for one more, before decoding`, () => {
    expect(succeeded(decodeBody(Buffer.alloc(MAX_INPUT_BYTES, 1).toString("base64"), true)).length).toBe(
      MAX_INPUT_BYTES,
    );
    const tooBig = Buffer.alloc(MAX_INPUT_BYTES + 1, 1).toString("base64");
    expect(failureOf(decodeBody(tooBig, true))).toEqual({
      status: 413,
      error: `The image is ${MAX_INPUT_BYTES + 1} bytes; the limit is ${MAX_INPUT_BYTES} bytes (4 MiB). Send a smaller image.`,
    });
    // 4,400,000 bytes are 5,866,668 base64 characters, two of them padding: the message counts the image's bytes.
    expect(failureOf(decodeBody(Buffer.alloc(4_400_000, 1).toString("base64"), true))).toEqual({
      status: 413,
      error: `The image is 4400000 bytes; the limit is ${MAX_INPUT_BYTES} bytes (4 MiB). Send a smaller image.`,
    });
    // Far too big is refused from its length alone, even when it is not valid base64.
    expect(failureOf(decodeBody("!".repeat(MAX_INPUT_BYTES * 2), true)).status).toBe(413);
  });
});
