/**
 * The platform an image is recorded with is the one the engine reports for it (`docker image inspect`), not the one
 * the build asked for: the classic builder, asked for linux/arm64 on an x86_64 machine, builds a linux/amd64 image
 * on the local base and says nothing. Real engine, throwaway images (`docker import`); no arm64 image is built.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { docker, inspectImage, removeImages } from "@lambda-images/docker-cli";
import { loadFunction, readImageRecord } from "@lambda-images/function-config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { announceSkip, dockerAvailability, IN_CI, importTestImage } from "../../testing/engine.js";
import { uniqueSuffix } from "../../testing/registry.js";
import { ImageBuilder } from "./builder.js";
import { buildImage } from "./docker-build.js";

const availability = await dockerAvailability();
if (!availability.available && !IN_CI) announceSkip(availability.reason);
const engine = availability.available ? availability.engine : undefined;
/**
 * An x86_64 engine with the classic builder, which builds a linux/arm64 request on the local amd64 base (emulation
 * installed or not).
 */
const cannotBuildArm64 = engine?.platform === "linux/amd64" && !engine.buildx;

describe.runIf(availability.available || IN_CI)("the platform an image is recorded with", () => {
  const suffix = uniqueSuffix();
  const base = `lambda-image-platform-test-${suffix}/base:1`;
  const folders: string[] = [];
  const images: string[] = [base];

  beforeAll(async () => {
    await importTestImage(base);
  });
  afterAll(async () => {
    // Every tag this suite made, including a content tag a failing case left behind.
    const listed = await docker(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"]);
    const ours = listed.stdout
      .split("\n")
      .filter(
        (tag) =>
          tag.startsWith(`lambda-image-platform-test-${suffix}/`) || tag.startsWith(`forced${suffix}:`),
      );
    await removeImages([...new Set([...images, ...ours])]);
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  /** A workspace with functions/<name>: a one-line bundle and a Dockerfile.non-aws on the imported base. */
  function functionFolder(name: string, architecture: "x86_64" | "arm64") {
    const root = mkdtempSync(join(tmpdir(), "lambda-image-platform-"));
    folders.push(root);
    writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - functions/*\n");
    const dir = join(root, "functions", name);
    mkdirSync(join(dir, "dist"), { recursive: true });
    writeFileSync(join(dir, "dist", "index.mjs"), "export const handler = async () => 1;\n");
    writeFileSync(join(dir, "Dockerfile.non-aws"), `FROM ${base}\nCOPY dist/ /var/task/\n`);
    // As in every function: only the bundle is sent, so the records in .image/ do not change the content hash.
    writeFileSync(join(dir, ".dockerignore"), "*\n!dist/\n");
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: `@test/${name}`,
        version: "1.0.0",
        lambda: { strategy: "non-aws", architecture },
      }),
    );
    return { root, dir };
  }

  it.runIf(cannotBuildArm64 || IN_CI)(
    "refuses an image the engine built for another platform than asked, and leaves no content tag to reuse",
    async () => {
      if (engine === undefined || !cannotBuildArm64) {
        // CI builds on an x86_64 engine without emulation: anything else is not the machine this test is for.
        throw new Error(
          `this test needs an x86_64 engine without BuildKit or emulation (${engine?.platform})`,
        );
      }
      const { root, dir } = functionFolder(`arm${suffix}`, "arm64");
      const request = {
        dockerfile: join(dir, "Dockerfile.non-aws"),
        context: dir,
        repository: `lambda-image-platform-test-${suffix}/arm`,
        tag: "non-aws",
        platform: "linux/arm64",
        labels: {},
        logFile: join(dir, ".image", "non-aws.build.log"),
      };
      images.push(`${request.repository}:${request.tag}`);
      const built = buildImage(request, {}, engine, { root });
      await expect(built).rejects.toThrow(
        new RegExp(
          `Building ${request.repository}:non-aws for linux/arm64 gave ${request.repository}:non-aws-[0-9a-f]{12}, ` +
            "a linux/amd64 image: this engine \\(linux/amd64, classic builder\\) did not build for linux/arm64\\. " +
            ".*qemu-user-static and binfmt.*not recorded",
        ),
      );
      // The engine did build it (for its own platform), but not under a content tag a later build would reuse.
      const tags = await docker(["image", "ls", "--format", "{{.Tag}}", request.repository]);
      expect(tags.stdout.trim().split("\n")).toEqual(["non-aws"]);
    },
  );

  it("records what the engine built when IMAGE_PLATFORM forces a platform, and says publishing refuses it", async () => {
    const name = `forced${suffix}`;
    const { root, dir } = functionFolder(name, "arm64");
    const lines: string[] = [];
    const builder = new ImageBuilder({
      root,
      overrides: new Map(),
      platform: engine?.platform ?? "linux/amd64",
      log: (line) => lines.push(line),
    });
    const record = await builder.buildFunctionImage(loadFunction(dir), "non-aws");
    images.push(record.contentTag, record.image);
    expect(record.platform).toBe(engine?.platform);
    expect((await inspectImage(record.imageId))?.platform).toBe(record.platform);
    expect(readImageRecord(loadFunction(dir), "non-aws").platform).toBe(record.platform);
    expect(lines.join("\n")).toContain(
      `note: ${join("functions", name)} is configured for arm64 (linux/arm64) but this image ` +
        `(${record.contentTag}) is ${engine?.platform}; it runs locally, but \`lambda-image publish\` refuses it`,
    );

    // Found again by its content tag: the record still gives the image's own platform.
    const again = await builder.buildFunctionImage(loadFunction(dir), "non-aws");
    expect(again.reused).toBe(true);
    expect(again.platform).toBe(record.platform);
  });
});
