/**
 * One `docker build`, tagged by content: the build context after .dockerignore, the Dockerfile, the ids of its base
 * images, its build arguments, labels and platform make a hash, and an image that already has the tag it names is
 * re-tagged instead of rebuilt. The build's output goes to a log file beside the image's record.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DockerCommandError, docker, dockerOk, inspectImage } from "@lambda-images/docker-cli";
import type { BaseImageUse, BuiltImageRecord } from "@lambda-images/function-config";
import type { EngineInfo } from "../docker/engine.js";
import { buildContentHash } from "./content-hash.js";
import { type BuildProgress, dockerBuildStep } from "./progress.js";

export const LABEL_PREFIX = "org.lambda-images";

/** What a build gives: what its record says about the image, and the build's output. */
export interface BuiltImage extends BuiltImageRecord {
  /** The full build log (absent when reused). */
  readonly log: string | undefined;
}

/** How builds run and report. */
export interface DockerBuildOptions {
  /** The workspace root (messages name files relative to it). */
  readonly root: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Progress messages (one line each). */
  readonly log?: (line: string) => void;
  /** Every line of docker's build output. */
  readonly onBuildOutput?: (line: string) => void;
  /** Follows each docker build as it runs: the image, then each Dockerfile step it starts. */
  readonly progress?: BuildProgress;
  /**
   * Rebuild even when an image with the same content exists: "cached" lets docker reuse its layer cache,
   * "no-cache" builds every layer again (benchmarks measure both).
   */
  readonly force?: "cached" | "no-cache";
}

export interface BuildRequest {
  readonly dockerfile: string;
  readonly context: string;
  readonly repository: string;
  readonly tag: string;
  readonly platform: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly logFile: string;
  /** Build arguments the Dockerfile's defaults do not give (the local target's FUNCTION_IMAGE). */
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Ids of images those arguments name, so the content tag changes with them. */
  readonly baseIds?: Readonly<Record<string, string>>;
  /** How messages name the Dockerfile (default: its path in the workspace). */
  readonly display?: string;
}

/** Builds `request` on `bases` (how each FROM argument is filled in), or re-tags the image with its content. */
export async function buildImage(
  request: BuildRequest,
  bases: Readonly<Record<string, BaseImageUse>>,
  engine: EngineInfo,
  options: DockerBuildOptions,
): Promise<BuiltImage> {
  const env = options.env ?? process.env;
  const buildArgs: Record<string, string> = {
    ...Object.fromEntries(Object.entries(bases).map(([name, use]) => [name, use.used])),
    ...request.buildArgs,
  };
  // The classic builder does not set TARGETARCH; pass it where a Dockerfile asks for it.
  if (!engine.buildx && readFileSync(request.dockerfile, "utf8").includes("TARGETARCH")) {
    buildArgs.TARGETARCH = request.platform.split("/")[1] ?? "";
  }
  const contentHash = buildContentHash(request.context, request.dockerfile, {
    platform: request.platform,
    buildArgs: JSON.stringify(buildArgs),
    baseIds: JSON.stringify({
      ...Object.fromEntries(Object.entries(bases).map(([n, b]) => [n, b.id ?? b.used])),
      ...request.baseIds,
    }),
    labels: JSON.stringify(request.labels),
  });
  const image = `${request.repository}:${request.tag}`;
  const contentTag = `${image}-${contentHash.slice(0, 12)}`;
  const display = request.display ?? relative(options.root, request.dockerfile);

  const existing = options.force ? undefined : await inspectImage(contentTag, { env });
  if (existing) {
    checkBuiltPlatform(request, contentTag, existing.platform, engine);
    await dockerOk(["tag", contentTag, image], { env });
    options.log?.(`${image}: unchanged (${contentTag}), not rebuilt`);
    return {
      image,
      contentTag,
      imageId: existing.id,
      contentHash,
      platform: existing.platform,
      sizeBytes: existing.sizeBytes,
      reused: true,
      buildSeconds: 0,
      dockerfile: display,
      bases,
      log: undefined,
    };
  }

  options.log?.(
    `${image}: building ${display} for ${request.platform} (${engine.buildx ? "BuildKit" : "classic builder"})`,
  );
  const work = mkdtempSync(join(tmpdir(), "lambda-image-"));
  const iidFile = join(work, "iid");
  const args = [
    ...(engine.buildx ? ["buildx", "build", "--load", "--provenance=false"] : ["build", "--force-rm"]),
    ...(options.force === "no-cache" ? ["--no-cache"] : []),
    "--file",
    request.dockerfile,
    "--platform",
    request.platform,
    "--iidfile",
    iidFile,
    "--tag",
    image,
    "--tag",
    contentTag,
    "--label",
    `${LABEL_PREFIX}.content-hash=${contentHash}`,
    ...Object.entries(request.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
    ...Object.entries(buildArgs).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]),
    request.context,
  ];
  const started = performance.now();
  const lines: string[] = [];
  const { progress } = options;
  progress?.start(image);
  const result = await docker(args, {
    env: { ...env, DOCKER_CLI_HINTS: "false" },
    onOutput: (line) => {
      lines.push(line);
      options.onBuildOutput?.(line);
      const step = progress && dockerBuildStep(line);
      if (step) progress?.step(step);
    },
  }).finally(() => progress?.end());
  const buildSeconds = (performance.now() - started) / 1000;
  const log = lines.join("\n");
  mkdirSync(join(request.logFile, ".."), { recursive: true });
  writeFileSync(request.logFile, `${log}\n`);
  if (result.code !== 0) {
    rmSync(work, { recursive: true, force: true });
    const pulled = Object.entries(bases).filter(([, b]) => b.id === undefined);
    let hint =
      pulled.length > 0
        ? `\nThe engine had to pull ${pulled.map(([, b]) => b.used).join(", ")}. Without a reachable registry, ` +
          "build local stand-ins and set IMAGE_BASE_OVERRIDES (see docs/stand-ins.md)."
        : "";
    if (request.platform !== engine.platform && /exec format error/i.test(log)) {
      hint +=
        `\nA step ran a ${request.platform} program that this engine's host cannot run. Building for another ` +
        "platform runs such steps under emulation: register it on the host (qemu-user-static with binfmt_misc; " +
        "on this project's CI machines: bash .ci/docker/arm64/setup.sh), or build on a " +
        `${request.platform} machine.`;
    }
    const error = new DockerCommandError(args, result);
    error.message = `Building ${image} from ${display} failed (full log: ${relative(options.root, request.logFile)}).\n${error.message}${hint}`;
    throw error;
  }
  const imageId = readFileSync(iidFile, "utf8").trim();
  rmSync(work, { recursive: true, force: true });
  const details = await inspectImage(imageId, { env });
  if (details === undefined)
    throw new Error(`${image}: the engine has no image ${imageId} right after building it.`);
  try {
    checkBuiltPlatform(request, contentTag, details.platform, engine);
  } catch (error) {
    // Not left to be found again by its content tag: once the engine can build the platform, the next build does.
    await docker(["image", "rm", contentTag], { env });
    throw error;
  }
  options.log?.(`${image}: built ${contentTag} in ${buildSeconds.toFixed(1)} s`);
  return {
    image,
    contentTag,
    imageId,
    contentHash,
    platform: details.platform,
    sizeBytes: details.sizeBytes,
    reused: false,
    buildSeconds,
    dockerfile: display,
    bases,
    log,
  };
}

/**
 * The image the engine built (or found by its content tag) must be for the platform the build asked for: the
 * classic builder, asked for another platform than the engine's, builds on a local base image of the engine's own
 * platform and says nothing (given a base of the platform asked for, it builds that one, under emulation). Throws,
 * naming both platforms and what builds the one asked for.
 */
function checkBuiltPlatform(
  request: BuildRequest,
  contentTag: string,
  platform: string,
  engine: EngineInfo,
): void {
  if (platform === request.platform) return;
  throw new Error(
    `Building ${request.repository}:${request.tag} for ${request.platform} gave ${contentTag}, a ${platform} image: ` +
      `this engine (${engine.platform}, ${engine.buildx ? "BuildKit" : "classic builder"}) did not build for ` +
      `${request.platform}. Build on a ${request.platform} machine, or on ${request.platform} base images with ` +
      `emulation (qemu-user-static and binfmt), with which either builder runs the steps; the image was not recorded.`,
  );
}
