import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { throwawayFunction } from "../test/throwaway-function.js";
import {
  type BaseImageRecord,
  baseImageRecordFile,
  buildLogFile,
  type FunctionDefinition,
  type FunctionImageRecord,
  IMAGE_RECORD_DIR,
  imageRecordFile,
  type LocalImageRecord,
  localImageRecordFile,
  localImageRecordSchema,
  readBaseImageRecord,
  readImageRecord,
  writeImageRecord,
} from "./index.js";

const built = {
  image: "recorded:os-only",
  contentTag: "recorded:os-only-0123456789ab",
  imageId: "sha256:feedface",
  contentHash: "0123456789abcdef",
  platform: "linux/amd64",
  sizeBytes: 123_456_789,
  reused: false,
  buildSeconds: 12.5,
  dockerfile: "functions/recorded/Dockerfile.os-only",
  bases: {
    BASE_IMAGE: {
      default: "lambda-images/node-os-only:24",
      used: "lambda-images/node-os-only:24-abcdef012345",
      id: "sha256:0ddba11",
      via: "shared-image",
    },
    NODE_IMAGE: { default: "node:24.22.3-bookworm-slim", used: "node:24.22.3-bookworm-slim", via: "default" },
  },
} as const;

function functionRecord(fn: FunctionDefinition): FunctionImageRecord {
  return {
    function: fn.name,
    strategy: "os-only",
    handler: fn.lambdaHandler,
    builtAt: "2025-01-02T03:04:05.678Z",
    ...built,
  };
}

describe("an image record", () => {
  it("is read back as written, and only the schema's fields are written", () => {
    const fn = throwawayFunction("recorded", { name: "recorded" });
    const file = imageRecordFile(fn, "os-only");
    expect(file).toBe(join(fn.dir, IMAGE_RECORD_DIR, "os-only.json"));
    const withLog = { ...functionRecord(fn), log: "#1 [internal] load build definition" };
    writeImageRecord("function", file, withLog);
    expect(JSON.parse(readFileSync(file, "utf8"))).not.toHaveProperty("log");
    expect(readImageRecord(fn, "os-only")).toEqual({ ...functionRecord(fn), recordFile: file });
  });

  it("replaces the one before it and leaves nothing beside it", () => {
    const fn = throwawayFunction("rewritten", { name: "rewritten" });
    const file = imageRecordFile(fn, "os-only");
    writeImageRecord("function", file, functionRecord(fn));
    writeImageRecord("function", file, { ...functionRecord(fn), imageId: "sha256:beef", reused: true });
    expect(readImageRecord(fn, "os-only")).toMatchObject({ imageId: "sha256:beef", reused: true });
    expect(readdirSync(join(fn.dir, IMAGE_RECORD_DIR))).toEqual(["os-only.json"]);
  });

  it("is not written when it does not fit its schema", () => {
    const fn = throwawayFunction("refused", { name: "refused" });
    const file = localImageRecordFile(fn, "non-aws");
    const local = {
      ...functionRecord(fn),
      strategy: "non-aws",
      target: "local",
    } as unknown as LocalImageRecord;
    expect(() => writeImageRecord("local", file, local)).toThrow(
      /Refusing to write .*non-aws-local\.json: not a local image record \(productionImage: /,
    );
    expect(readdirSync(fn.dir)).not.toContain(IMAGE_RECORD_DIR);
  });

  it("has a local kind (the image plus the emulator) and a shared base kind", () => {
    const fn = throwawayFunction("both", { name: "both" });
    const localFile = localImageRecordFile(fn, "non-aws");
    const local: LocalImageRecord = {
      ...functionRecord(fn),
      strategy: "non-aws",
      target: "local",
      productionImage: "both:non-aws-0123456789ab",
    };
    writeImageRecord("local", localFile, local);
    expect(localFile).toBe(join(fn.dir, IMAGE_RECORD_DIR, "non-aws-local.json"));
    expect(localImageRecordSchema.parse(JSON.parse(readFileSync(localFile, "utf8")))).toEqual(local);

    const imageDir = join(fn.dir, "..", "node-os-only");
    const base: BaseImageRecord = { name: "node-os-only", ...built };
    writeImageRecord("base", baseImageRecordFile(imageDir), base);
    expect(baseImageRecordFile(imageDir)).toBe(join(imageDir, IMAGE_RECORD_DIR, "image.json"));
    expect(readBaseImageRecord(imageDir)).toEqual(base);
  });

  it("keeps each build's log beside it", () => {
    const fn = throwawayFunction("logged", { name: "logged" });
    expect(buildLogFile(imageRecordFile(fn, "aws-base"))).toBe(
      join(fn.dir, IMAGE_RECORD_DIR, "aws-base.build.log"),
    );
    expect(buildLogFile(localImageRecordFile(fn, "aws-base"))).toBe(
      join(fn.dir, IMAGE_RECORD_DIR, "aws-base-local.build.log"),
    );
    expect(buildLogFile(baseImageRecordFile("/w/images/node-os-only"))).toBe(
      join("/w/images/node-os-only", IMAGE_RECORD_DIR, "build.log"),
    );
  });
});

describe("reading an image record that is not there or not right", () => {
  const fix =
    /run `pnpm image` \(every function\), or `pnpm --filter @fixtures\/\S+ exec lambda-image build --strategy \S+` for this one, then try again\.$/;

  it("is missing until pnpm image ran, and the message says so", () => {
    const fn = throwawayFunction("unimaged", { name: "unimaged" });
    expect(() => readImageRecord(fn, "non-aws")).toThrow(
      /Function "unimaged" has no non-aws image yet \(.*\.image\/non-aws\.json is missing\): run `pnpm image`.*--strategy non-aws/,
    );
    expect(() => readImageRecord(fn, "non-aws")).toThrow(fix);
  });

  it("is not JSON", () => {
    const fn = throwawayFunction("garbled", { name: "garbled" });
    mkdirSync(join(fn.dir, IMAGE_RECORD_DIR));
    writeFileSync(imageRecordFile(fn, "aws-base"), "{not json");
    expect(() => readImageRecord(fn, "aws-base")).toThrow(/garbled\/\.image\/aws-base\.json is not JSON \(/);
    expect(() => readImageRecord(fn, "aws-base")).toThrow(fix);
  });

  it("does not name an image: the message says which fields are wrong", () => {
    const fn = throwawayFunction("broken-record", { name: "broken-record" });
    mkdirSync(join(fn.dir, IMAGE_RECORD_DIR));
    const { imageId: _imageId, ...noId } = functionRecord(fn);
    writeFileSync(imageRecordFile(fn, "aws-base"), JSON.stringify({ ...noId, sizeBytes: "big" }));
    expect(() => readImageRecord(fn, "aws-base")).toThrow(
      /broken-record\/\.image\/aws-base\.json does not name an image as `lambda-image` records it \(imageId: missing; sizeBytes: Invalid input: expected number, received string\): run `pnpm image`/,
    );
    expect(() => readImageRecord(fn, "aws-base")).toThrow(fix);

    writeFileSync(
      imageRecordFile(fn, "aws-base"),
      JSON.stringify({ ...functionRecord(fn), imageId: "feedface" }),
    );
    expect(() => readImageRecord(fn, "aws-base")).toThrow(/imageId: must be an image id like sha256:\.\.\./);
    writeFileSync(imageRecordFile(fn, "aws-base"), "[]");
    expect(() => readImageRecord(fn, "aws-base")).toThrow(/\(the record: .*expected object/);
  });

  it("of a shared base image says how to build it", () => {
    const dir = join(throwawayFunction("elsewhere", { name: "elsewhere" }).dir, "..", "node-debian-slim");
    expect(() => readBaseImageRecord(dir)).toThrow(
      /Base image node-debian-slim has no image yet \(.*node-debian-slim\/\.image\/image\.json is missing\): run `pnpm image` \(every image\), or `lambda-image base` in .*node-debian-slim for this one/,
    );
  });
});
