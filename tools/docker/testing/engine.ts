/**
 * Test helper: whether the Docker tests can run here. With no engine they fail in CI (CI=true) and are skipped,
 * loudly, elsewhere. Base image overrides come from IMAGE_BASE_OVERRIDES; when it is unset and the public bases
 * are not in the engine but the CI stand-ins are, the stand-ins' overrides file is used (and said so).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type BaseOverrides,
  checkEngine,
  type EngineInfo,
  ImageBuilder,
  type ImageBuilderOptions,
  parseBaseOverrides,
} from "@lambda-images/docker";
import { dockerOk, inspectImage } from "@lambda-images/docker-cli";

export type EngineAvailability =
  | { readonly available: true; readonly engine: EngineInfo }
  | { readonly available: false; readonly reason: string };

export const IN_CI = ["true", "1"].includes((process.env.CI ?? "").toLowerCase());

export async function dockerAvailability(): Promise<EngineAvailability> {
  try {
    return { available: true, engine: await checkEngine() };
  } catch (error) {
    return { available: false, reason: (error as Error).message };
  }
}

/** Says loudly why the Docker tests do not run. */
export function announceSkip(reason: string): void {
  const bar = "=".repeat(100);
  console.warn(
    `\n${bar}\nDOCKER IMAGE TESTS SKIPPED (no usable Docker engine; CI=true would fail them):\n${reason}\n${bar}\n`,
  );
}

const STAND_IN_OVERRIDES = join(".ci", "docker", "stand-ins", "overrides.env");

export async function overridesForTests(root: string): Promise<BaseOverrides> {
  if (process.env.IMAGE_BASE_OVERRIDES !== undefined)
    return parseBaseOverrides(process.env.IMAGE_BASE_OVERRIDES);
  const file = join(root, STAND_IN_OVERRIDES);
  if (!existsSync(file)) return new Map();
  const match = /IMAGE_BASE_OVERRIDES="([^"]*)"/.exec(readFileSync(file, "utf8"));
  const standIns = parseBaseOverrides(match?.[1], file);
  for (const [publicName, standIn] of standIns) {
    if (await inspectImage(publicName)) return new Map();
    if (!(await inspectImage(standIn))) return new Map();
  }
  console.warn(
    `IMAGE_BASE_OVERRIDES is unset and the public base images are not here: using the stand-ins of ${file}`,
  );
  return standIns;
}

/** The image builder the image tests share: base overrides as above, IMAGE_PLATFORM, and its log on stdout. */
export async function imageBuilderForTests(
  root: string,
  options: Partial<ImageBuilderOptions> = {},
): Promise<ImageBuilder> {
  return new ImageBuilder({
    root,
    overrides: await overridesForTests(root),
    platform: process.env.IMAGE_PLATFORM,
    log: (line) => console.log(`[lambda-image] ${line}`),
    ...options,
  });
}

/**
 * Makes a one-file image with random content (a new image id every time) with `docker import`, or for `platform`
 * with a build FROM scratch: the engine's import records its own architecture whatever platform it is given.
 */
export async function importTestImage(reference: string, platform?: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "lambda-image-test-"));
  try {
    const tar = join(dir, "rootfs.tar");
    writeFileSync(join(dir, "content.txt"), randomBytes(32).toString("hex"));
    execFileSync("tar", ["-C", dir, "-cf", tar, "content.txt"]);
    if (platform === undefined) {
      await dockerOk(["import", "--change", 'CMD ["index.handler"]', tar, reference]);
      return;
    }
    writeFileSync(join(dir, "Dockerfile"), 'FROM scratch\nADD rootfs.tar /\nCMD ["index.handler"]\n');
    await dockerOk(["build", "--platform", platform, "--tag", reference, dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
