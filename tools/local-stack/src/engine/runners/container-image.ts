/**
 * Which image the container runner runs for a function: the one `lambda-image build` recorded in
 * `functions/<name>/.image/<strategy>.json` (tools/docker writes it; a test there checks this reader against it).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { FunctionDefinition, Strategy } from "@lambda-images/function-config";

/** The folder next to a function's package.json where `lambda-image build` records its images. */
export const IMAGE_RECORD_DIR = ".image";

export interface RecordedImage {
  /** `hello:os-only-3f9c0a1b2c4d`: the tag that names exactly this content (shown in messages). */
  readonly contentTag: string;
  /** `sha256:...`: what `docker run` is given, so a tag moved since the build cannot change what runs. */
  readonly imageId: string;
  readonly strategy: Strategy;
  /** The record file, for messages. */
  readonly recordFile: string;
}

export function imageRecordFile(definition: FunctionDefinition, strategy: Strategy): string {
  return join(definition.dir, IMAGE_RECORD_DIR, `${strategy}.json`);
}

/** The command that builds the missing image, as the user would type it. */
export function imageBuildHint(definition: FunctionDefinition, strategy: Strategy): string {
  return (
    `run \`pnpm image\` (every function), or \`pnpm --filter ${definition.packageName} exec lambda-image build ` +
    `--strategy ${strategy}\` for this one, then try again`
  );
}

function field(record: Record<string, unknown>, name: string): string | undefined {
  const value = record[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Reads the image record of `definition` for `strategy`; throws, saying what to run, when there is none. */
export function readImageRecord(definition: FunctionDefinition, strategy: Strategy): RecordedImage {
  const recordFile = imageRecordFile(definition, strategy);
  const shown = relative(process.cwd(), recordFile) || recordFile;
  if (!existsSync(recordFile)) {
    throw new Error(
      `Function "${definition.name}" has no ${strategy} image yet (${shown} is missing): ` +
        `${imageBuildHint(definition, strategy)}.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(recordFile, "utf8"));
  } catch (error) {
    throw new Error(
      `${shown} is not JSON (${(error as Error).message}): ${imageBuildHint(definition, strategy)}.`,
    );
  }
  const record = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const imageId = field(record, "imageId");
  const contentTag = field(record, "contentTag") ?? imageId;
  if (imageId === undefined || contentTag === undefined || !imageId.startsWith("sha256:")) {
    throw new Error(
      `${shown} does not name an image (no "imageId" like sha256:...): ${imageBuildHint(definition, strategy)}.`,
    );
  }
  return { contentTag, imageId, strategy, recordFile };
}
