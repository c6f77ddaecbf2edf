/**
 * The pure part of the thumbnail function: no Lambda, no sharp, no I/O. It reads what the caller asked for (the
 * query string) and the image bytes (the body API Gateway passes on), with every limit and every error message.
 */

export const OUTPUT_FORMATS = ["webp", "png"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const CONTENT_TYPES: Readonly<Record<OutputFormat, string>> = {
  webp: "image/webp",
  png: "image/png",
};

export const DEFAULT_WIDTH = 200;
export const MIN_WIDTH = 16;
export const MAX_WIDTH = 1_024;
export const DEFAULT_FORMAT: OutputFormat = "webp";

/**
 * The largest image accepted, in bytes. A synchronous invoke carries at most 6 MB, and API Gateway sends binary
 * bodies base64-encoded (4 bytes for every 3), so about 4.5 MB of image fits; 4 MiB is the round figure below.
 */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;
/** The most pixels decoded (sharp's limitInputPixels): 40 megapixels, 160 MB as RGBA, safe in 1 GB of memory. */
export const MAX_INPUT_PIXELS = 40_000_000;

export interface ThumbnailOptions {
  readonly width: number;
  readonly format: OutputFormat;
}

export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly status: 400 | 413; readonly error: string };

const fail = (status: 400 | 413, error: string) => ({ ok: false as const, status, error });

/** Reads `width` (16-1024, default 200) and `format` (webp or png, default webp) from the query string. */
export function parseOptions(
  query: Readonly<Record<string, string | undefined>> | undefined,
): Outcome<ThumbnailOptions> {
  const rawWidth = query?.width?.trim() ?? "";
  let width = DEFAULT_WIDTH;
  if (rawWidth !== "") {
    if (!/^\d+$/.test(rawWidth)) {
      return fail(400, `Query parameter "width" must be a whole number of pixels, not "${query?.width}".`);
    }
    width = Number(rawWidth);
    if (width < MIN_WIDTH || width > MAX_WIDTH) {
      return fail(400, `Query parameter "width" is ${width}; it must be from ${MIN_WIDTH} to ${MAX_WIDTH}.`);
    }
  }
  const rawFormat = query?.format?.trim().toLowerCase() ?? "";
  const format = rawFormat === "" ? DEFAULT_FORMAT : OUTPUT_FORMATS.find((known) => known === rawFormat);
  if (format === undefined) {
    return fail(
      400,
      `Query parameter "format" must be ${OUTPUT_FORMATS.join(" or ")}, not "${query?.format}".`,
    );
  }
  return { ok: true, value: { width, format } };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The image bytes of the request body. API Gateway base64-encodes binary bodies and says so with isBase64Encoded;
 * a body that arrives as text was sent with a text content type and cannot be an image.
 */
export function decodeBody(body: string | undefined, isBase64Encoded: boolean | undefined): Outcome<Buffer> {
  if (body === undefined || body.length === 0) {
    return fail(
      400,
      "The request has no body: send the image itself as the body, e.g. " +
        "curl --data-binary @photo.jpg -H 'content-type: image/jpeg' '.../thumbnail?width=200'.",
    );
  }
  if (isBase64Encoded !== true) {
    return fail(
      400,
      "The body arrived as text, so it is not an image: send the image bytes with an image content type " +
        "(e.g. content-type: image/jpeg), which API Gateway passes on base64-encoded.",
    );
  }
  // Checked before decoding, so a huge body is never decoded.
  const size = decodedSize(body);
  if (size > MAX_INPUT_BYTES) return fail(413, tooManyBytes(size));
  if (body.length % 4 !== 0 || !BASE64.test(body)) {
    return fail(400, "The body is marked base64-encoded but is not valid base64.");
  }
  return { ok: true, value: Buffer.from(body, "base64") };
}

/** The bytes a base64 text decodes to: 3 for every 4 characters, less one per `=` of padding. */
function decodedSize(base64: string): number {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

function tooManyBytes(bytes: number): string {
  return `The image is ${bytes} bytes; the limit is ${MAX_INPUT_BYTES} bytes (4 MiB). Send a smaller image.`;
}
