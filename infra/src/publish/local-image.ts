import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FunctionDefinition } from "@lambda-images/function-config";
import { z } from "zod";
import { localImageId } from "./docker.js";

/** The built image of a function, as the publish step needs it. */
export interface LocalImage {
  /** A reference the local Docker engine knows: "hello:aws-base". */
  readonly reference: string;
  /** What names the image's content: an input hash from the image builder, else the image id. Hex, 12+ chars. */
  readonly contentHash: string;
}

/**
 * The record `lambda-image build` (tools/docker) writes for each built image: the fields publish reads; the
 * others (imageId, platform, sizeBytes, bases, ...) are ignored.
 */
const imageRecordSchema = z.looseObject({
  /** The tag that names this exact content, e.g. "hello:aws-base-3f9c0a1b2c4d" (preferred). */
  contentTag: z.string().min(1).optional(),
  /** The moving tag, e.g. "hello:aws-base". */
  image: z.string().min(1).optional(),
  contentHash: z
    .string()
    .regex(/^(sha256:)?[a-f0-9]{12,}$/)
    .optional(),
});

/** `functions/<name>/.image/<strategy>.json`: written by the image task for the strategy the function deploys. */
export function imageRecordFile(fn: FunctionDefinition): string {
  return join(fn.dir, ".image", `${fn.strategy}.json`);
}

function buildHint(fn: FunctionDefinition): string {
  return `Build it first: \`pnpm turbo run image --filter ${fn.packageName}\` (or the whole chain: \`pnpm turbo run build deploy\`).`;
}

/**
 * The image to publish for a function: the one its image record names, which must exist in the local engine.
 * Fails with the command that builds it when the record or the image is missing.
 */
export async function findLocalImage(fn: FunctionDefinition): Promise<LocalImage> {
  const file = imageRecordFile(fn);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Error(`Function "${fn.name}" has no built ${fn.strategy} image (no ${file}). ${buildHint(fn)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}). ${buildHint(fn)}`);
  }
  const parsed = imageRecordSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw new Error(`${file} is not an image record (${problems}). ${buildHint(fn)}`);
  }
  const reference = parsed.data.contentTag ?? parsed.data.image ?? `${fn.name}:${fn.strategy}`;
  const id = await localImageId(reference);
  if (id === undefined) {
    throw new Error(
      `Function "${fn.name}": ${file} names the image ${reference}, but the Docker engine has no such image ` +
        `(built on another machine, or removed). ${buildHint(fn)}`,
    );
  }
  const contentHash = (parsed.data.contentHash ?? id).replace(/^sha256:/, "");
  return { reference, contentHash };
}
