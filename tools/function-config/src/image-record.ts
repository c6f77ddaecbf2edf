/**
 * The record of a built image: what `lambda-image build` writes next to a function's (or a shared base image's)
 * package.json, in `.image/`, and what every other tool reads back (the local stack's container runner runs the
 * image it names, by id). One schema per kind, one writer, one reader:
 *
 *   functions/<name>/.image/<strategy>.json          a function's image              (functionImageRecordSchema)
 *   functions/<name>/.image/<strategy>-local.json    its local image, with emulator  (localImageRecordSchema)
 *   images/<name>/.image/image.json                  a shared base image             (baseImageRecordSchema)
 *
 * Each build's full `docker build` output goes beside its record (`buildLogFile`).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { z } from "zod";
import type { FunctionDefinition } from "./load.js";
import { STRATEGIES, type Strategy } from "./schema.js";

/** The folder next to a function's or a base image's package.json where `lambda-image` records its images. */
export const IMAGE_RECORD_DIR = ".image";

const BASE_RECORD_NAME = "image";

/** How one base-image build argument (an ARG a FROM uses) was filled in. */
export const baseImageUseSchema = z.object({
  /** The ARG's default in the Dockerfile, e.g. "lambda-images/node-os-only:24". */
  default: z.string().min(1),
  /** What the build used instead: a shared image's content tag, an override, or the default itself. */
  used: z.string().min(1),
  /** The local image id of `used`; absent when the engine had to pull it. */
  id: z.string().min(1).optional(),
  via: z.enum(["shared-image", "override", "default"]),
});

/** What every record says about the image it names. */
export const builtImageRecordSchema = z.object({
  /** The moving tag, e.g. "hello:os-only" or "lambda-images/node-os-only:24". */
  image: z.string().min(1),
  /** The tag that names this exact content, e.g. "hello:os-only-3f9c0a1b2c4d". */
  contentTag: z.string().min(1),
  /** What `docker run` is given, so a tag moved since the build cannot change what runs. */
  imageId: z.string().regex(/^sha256:[0-9a-f]+$/, "must be an image id like sha256:..."),
  contentHash: z.string().min(1),
  /** What `docker image inspect` reports the image to be (os/architecture), e.g. "linux/amd64". */
  platform: z.string().min(1),
  sizeBytes: z.number().int().nonnegative(),
  /** True when an image with this content already existed and was only re-tagged. */
  reused: z.boolean(),
  buildSeconds: z.number().nonnegative(),
  /** How the build named its Dockerfile (its path in the workspace). */
  dockerfile: z.string().min(1),
  bases: z.record(z.string(), baseImageUseSchema),
});

/** A function's image for a strategy: `functions/<name>/.image/<strategy>.json`. */
export const functionImageRecordSchema = z.object({
  function: z.string().min(1),
  strategy: z.enum(STRATEGIES),
  handler: z.string().min(1),
  builtAt: z.iso.datetime(),
  ...builtImageRecordSchema.shape,
});

/** A local-only image (a function's image plus the emulator): `functions/<name>/.image/<strategy>-local.json`. */
export const localImageRecordSchema = z.object({
  ...functionImageRecordSchema.shape,
  target: z.literal("local"),
  /** The content tag of the function image it was built on. */
  productionImage: z.string().min(1),
});

/** A shared base image: `images/<name>/.image/image.json`. */
export const baseImageRecordSchema = z.object({
  /** The folder name under images/, e.g. "node-os-only". */
  name: z.string().min(1),
  ...builtImageRecordSchema.shape,
});

export type BaseImageUse = Readonly<z.infer<typeof baseImageUseSchema>>;
export type BuiltImageRecord = Readonly<z.infer<typeof builtImageRecordSchema>>;
export type FunctionImageRecord = Readonly<z.infer<typeof functionImageRecordSchema>>;
export type LocalImageRecord = Readonly<z.infer<typeof localImageRecordSchema>>;
export type BaseImageRecord = Readonly<z.infer<typeof baseImageRecordSchema>>;

interface ImageRecords {
  readonly function: FunctionImageRecord;
  readonly local: LocalImageRecord;
  readonly base: BaseImageRecord;
}

/** The kinds of image record: a function's image, its local image, a shared base image. */
export type ImageRecordKind = keyof ImageRecords;
export type ImageRecordOf<K extends ImageRecordKind> = ImageRecords[K];

const SCHEMAS: { readonly [K in ImageRecordKind]: z.ZodType<ImageRecordOf<K>> } = {
  function: functionImageRecordSchema,
  local: localImageRecordSchema,
  base: baseImageRecordSchema,
};

/** `functions/<name>/.image/<strategy>.json`: the record of the function's image for `strategy`. */
export function imageRecordFile(definition: Pick<FunctionDefinition, "dir">, strategy: Strategy): string {
  return join(definition.dir, IMAGE_RECORD_DIR, `${strategy}.json`);
}

/** `functions/<name>/.image/<strategy>-local.json`: the record of the function's local image for `strategy`. */
export function localImageRecordFile(
  definition: Pick<FunctionDefinition, "dir">,
  strategy: Strategy,
): string {
  return join(definition.dir, IMAGE_RECORD_DIR, `${strategy}-local.json`);
}

/** `images/<name>/.image/image.json`: the record of the shared base image built in `imageDir`. */
export function baseImageRecordFile(imageDir: string): string {
  return join(imageDir, IMAGE_RECORD_DIR, `${BASE_RECORD_NAME}.json`);
}

/**
 * The full `docker build` output of the build recorded in `recordFile`, beside it: `<strategy>.build.log`,
 * `<strategy>-local.build.log`, or `build.log` for a shared base image.
 */
export function buildLogFile(recordFile: string): string {
  const name = basename(recordFile, ".json");
  return join(dirname(recordFile), name === BASE_RECORD_NAME ? "build.log" : `${name}.build.log`);
}

/**
 * Writes `record` to `file` as a record of `kind`: checked against its schema (only the fields the schema names
 * are written), written beside the file and renamed into place, so a reader never sees half a record. Returns what
 * was written.
 */
export function writeImageRecord<K extends ImageRecordKind>(
  kind: K,
  file: string,
  record: ImageRecordOf<K>,
): ImageRecordOf<K> {
  const parsed = SCHEMAS[kind].safeParse(record, { error: missingField });
  if (!parsed.success) {
    throw new Error(
      `Refusing to write ${file}: not a ${kind} image record (${describeProblems(parsed.error)}).`,
    );
  }
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    writeFileSync(partial, `${JSON.stringify(parsed.data, null, 2)}\n`);
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  return parsed.data;
}

/** A function's image record as read back, with the file it was read from (for messages). */
export type RecordedImage = FunctionImageRecord & { readonly recordFile: string };

/** The command that builds a function's missing image, as the user would type it. */
export function imageBuildHint(
  definition: Pick<FunctionDefinition, "packageName">,
  strategy: Strategy,
): string {
  return (
    `run \`pnpm image\` (every function), or \`pnpm --filter ${definition.packageName} exec lambda-image build ` +
    `--strategy ${strategy}\` for this one, then try again`
  );
}

/**
 * Reads the record of `definition`'s image for `strategy`; throws, naming the file, what is wrong with it and what
 * to run, when there is none or it is not one `lambda-image build` wrote.
 */
export function readImageRecord(
  definition: Pick<FunctionDefinition, "name" | "dir" | "packageName">,
  strategy: Strategy,
): RecordedImage {
  const recordFile = imageRecordFile(definition, strategy);
  const record = readRecord("function", recordFile, {
    missing: (shown) => `Function "${definition.name}" has no ${strategy} image yet (${shown} is missing)`,
    hint: imageBuildHint(definition, strategy),
  });
  return { ...record, recordFile };
}

/** Reads the record of the shared base image built in `imageDir` (images/<name>), with the same errors. */
export function readBaseImageRecord(imageDir: string): BaseImageRecord {
  const shownDir = shownPath(imageDir);
  return readRecord("base", baseImageRecordFile(imageDir), {
    missing: (shown) => `Base image ${basename(imageDir)} has no image yet (${shown} is missing)`,
    hint: `run \`pnpm image\` (every image), or \`lambda-image base\` in ${shownDir} for this one, then try again`,
  });
}

function readRecord<K extends ImageRecordKind>(
  kind: K,
  file: string,
  messages: { readonly missing: (shown: string) => string; readonly hint: string },
): ImageRecordOf<K> {
  const shown = shownPath(file);
  if (!existsSync(file)) throw new Error(`${messages.missing(shown)}: ${messages.hint}.`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`${shown} cannot be read (${(error as Error).message}): ${messages.hint}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${shown} is not JSON (${(error as Error).message}): ${messages.hint}.`);
  }
  const parsed = SCHEMAS[kind].safeParse(json, { error: missingField });
  if (!parsed.success) {
    throw new Error(
      `${shown} does not name an image as \`lambda-image\` records it (${describeProblems(parsed.error)}): ` +
        `${messages.hint}.`,
    );
  }
  return parsed.data;
}

/** "imageId: missing" rather than zod's "expected string, received undefined". */
function missingField(issue: z.core.$ZodRawIssue): string | undefined {
  return issue.input === undefined ? "missing" : undefined;
}

function describeProblems(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "the record"}: ${issue.message}`)
    .join("; ");
}

function shownPath(file: string): string {
  return relative(process.cwd(), file) || file;
}
