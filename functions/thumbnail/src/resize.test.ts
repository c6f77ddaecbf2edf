/** Real images, made in the test with sharp itself, through the real libvips. */
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { MAX_INPUT_PIXELS, type Outcome, type ThumbnailOptions } from "./request.js";
import { makeThumbnail, type Thumbnail } from "./resize.js";

type Encoder = "png" | "jpeg" | "webp" | "gif" | "tiff" | "avif";

/** A solid-colour image of the given size in the given format. */
function image(width: number, height: number, format: Encoder): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 60, b: 20 } } })
    .toFormat(format)
    .toBuffer();
}

function succeeded(outcome: Outcome<Thumbnail>): Thumbnail {
  if (!outcome.ok) throw new Error(`expected a thumbnail, got ${outcome.status} "${outcome.error}"`);
  return outcome.value;
}

function failureOf(outcome: Outcome<Thumbnail>): { status: number; error: string } {
  if (outcome.ok) throw new Error("expected a failure");
  return { status: outcome.status, error: outcome.error };
}

const webp200: ThumbnailOptions = { width: 200, format: "webp" };

describe("makeThumbnail", () => {
  it("resizes to the width asked for, keeping the aspect ratio, and writes the format asked for", async () => {
    const input = await image(800, 600, "png");
    for (const format of ["webp", "png"] as const) {
      const thumbnail = succeeded(await makeThumbnail(input, { width: 200, format }));
      expect(thumbnail).toMatchObject({
        format,
        width: 200,
        height: 150,
        sourceFormat: "png",
        sourceWidth: 800,
        sourceHeight: 600,
      });
      const written = await sharp(thumbnail.bytes).metadata();
      expect({ format: written.format, width: written.width, height: written.height }).toEqual({
        format,
        width: 200,
        height: 150,
      });
    }
  });

  it("reads every accepted input format", async () => {
    for (const format of ["png", "jpeg", "webp", "gif", "tiff", "avif"] as const) {
      const thumbnail = succeeded(await makeThumbnail(await image(300, 100, format), webp200));
      expect({ format, width: thumbnail.width, height: thumbnail.height }).toEqual({
        format,
        width: 200,
        height: 67,
      });
      expect(thumbnail.sourceFormat).toBe(format === "avif" ? "heif" : format);
    }
  });

  it("never enlarges an image smaller than the width asked for", async () => {
    const thumbnail = succeeded(await makeThumbnail(await image(120, 90, "jpeg"), webp200));
    expect({ width: thumbnail.width, height: thumbnail.height }).toEqual({ width: 120, height: 90 });
    expect((await sharp(thumbnail.bytes).metadata()).width).toBe(120);
  });

  it("turns a photo the way its EXIF orientation says before measuring it", async () => {
    // Stored 400x200 with orientation 6 (rotate 90 degrees clockwise): the photo is 200 wide and 400 high.
    const rotated = await sharp(await image(400, 200, "jpeg"))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const thumbnail = succeeded(await makeThumbnail(rotated, { width: 100, format: "png" }));
    expect(thumbnail).toMatchObject({ sourceWidth: 200, sourceHeight: 400, width: 100, height: 200 });
    const written = await sharp(thumbnail.bytes).metadata();
    expect({ width: written.width, height: written.height }).toEqual({ width: 100, height: 200 });
  });

  it("answers 400 for bytes that are no image", async () => {
    for (const bytes of [
      Buffer.from("hello, I am text"),
      Buffer.alloc(2048),
      Buffer.from("GIF89a not really"),
    ]) {
      expect(failureOf(await makeThumbnail(bytes, webp200))).toEqual({
        status: 400,
        error: "The body is not an image this function can read (jpeg, png, webp, gif, avif, heif, tiff).",
      });
    }
  });

  it("answers 400 for a truncated image, saying it is damaged", async () => {
    const whole = await sharp({
      create: {
        width: 640,
        height: 480,
        channels: 3,
        background: "#000000",
        noise: { type: "gaussian", mean: 128, sigma: 40 },
      },
    })
      .jpeg()
      .toBuffer();
    const truncated = whole.subarray(0, Math.floor(whole.length / 2));
    const { status, error } = failureOf(await makeThumbnail(truncated, webp200));
    expect(status).toBe(400);
    expect(error).toMatch(/^The image could not be decoded: it is damaged or truncated \(.+\)\.$/);
    expect(error).not.toContain("\n");
  });

  it("refuses SVG, which libvips could read but this function does not accept", async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300"><rect width="300" height="300"/></svg>',
    );
    expect(failureOf(await makeThumbnail(svg, webp200))).toEqual({
      status: 400,
      error: "The body is a svg image; send one of jpeg, png, webp, gif, avif, heif, tiff.",
    });
  });

  it(`answers 413 for more than ${MAX_INPUT_PIXELS} pixels without decoding them`, async () => {
    // 6400 x 6250 = 40,000,000 pixels is the limit itself; one more row is over it.
    const atLimit = await image(6400, 6250, "png");
    expect(succeeded(await makeThumbnail(atLimit, webp200)).width).toBe(200);
    const over = await image(6400, 6251, "png");
    expect(failureOf(await makeThumbnail(over, webp200))).toEqual({
      status: 413,
      error:
        "The image is 6400x6251 pixels (40006400); the limit is 40000000 pixels (40 megapixels). Send a smaller image.",
    });
  });
});
