/**
 * Makes the thumbnail with sharp (libvips, a native library: the reason this function ships as a container image).
 * No Lambda here either: bytes and options in, bytes or a caller-facing error out.
 */
import sharp, { type Metadata } from "sharp";
import { MAX_INPUT_PIXELS, type Outcome, type OutputFormat, type ThumbnailOptions } from "./request.js";

// Lambda reuses the process across invokes: keep no decoded images around between them, and let one invoke use
// the few cores a function gets without oversubscribing them.
sharp.cache(false);

/** Input formats accepted. SVG and the rest of libvips' loaders are left out on purpose (smaller attack surface). */
export const INPUT_FORMATS = ["jpeg", "png", "webp", "gif", "avif", "heif", "tiff"] as const;

export interface Thumbnail {
  readonly bytes: Buffer;
  readonly format: OutputFormat;
  readonly width: number;
  readonly height: number;
  readonly sourceFormat: string;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
}

/** Resizes `input` to `options.width` pixels wide (never wider than the original), keeping the aspect ratio. */
export async function makeThumbnail(input: Buffer, options: ThumbnailOptions): Promise<Outcome<Thumbnail>> {
  const decode = { limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" as const, autoOrient: true };
  let metadata: Metadata;
  try {
    // Reading the header decodes no pixels, so the size check below can say how large the image is.
    metadata = await sharp(input, { ...decode, limitInputPixels: false }).metadata();
  } catch {
    return {
      ok: false,
      status: 400,
      error: `The body is not an image this function can read (${INPUT_FORMATS.join(", ")}).`,
    };
  }
  const sourceFormat = metadata.format;
  if (!(INPUT_FORMATS as readonly string[]).includes(sourceFormat)) {
    return {
      ok: false,
      status: 400,
      error: `The body is a ${sourceFormat} image; send one of ${INPUT_FORMATS.join(", ")}.`,
    };
  }
  const sourceWidth = metadata.autoOrient.width;
  const sourceHeight = metadata.autoOrient.height;
  if (sourceWidth * sourceHeight > MAX_INPUT_PIXELS) {
    return {
      ok: false,
      status: 413,
      error:
        `The image is ${sourceWidth}x${sourceHeight} pixels (${sourceWidth * sourceHeight}); the limit is ` +
        `${MAX_INPUT_PIXELS} pixels (40 megapixels). Send a smaller image.`,
    };
  }
  const pipeline = sharp(input, decode).resize({ width: options.width, withoutEnlargement: true });
  const encoded =
    options.format === "webp" ? pipeline.webp({ quality: 80 }) : pipeline.png({ compressionLevel: 9 });
  try {
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    return {
      ok: true,
      value: {
        bytes: data,
        format: options.format,
        width: info.width,
        height: info.height,
        sourceFormat,
        sourceWidth,
        sourceHeight,
      },
    };
  } catch (error) {
    return {
      ok: false,
      status: 400,
      error: `The image could not be decoded: it is damaged or truncated (${firstLine((error as Error).message)}).`,
    };
  }
}

function firstLine(message: string): string {
  return message.trim().split("\n")[0] ?? "";
}
