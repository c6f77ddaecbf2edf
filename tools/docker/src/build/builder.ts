/**
 * Builds images with the local Docker engine: the shared base images under images/, then a function's image for
 * a strategy on top of them. Every image is tagged by content (the build context after .dockerignore, the
 * Dockerfile, the ids of its base images, its build arguments and platform), so an unchanged image is found
 * and re-tagged instead of rebuilt.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  type Architecture,
  type BaseImageUse,
  type BuiltImageRecord,
  baseImageRecordFile,
  buildLogFile,
  type FunctionDefinition,
  type FunctionImageRecord,
  imageRecordFile,
  type LocalImageRecord,
  localImageRecordFile,
  type Strategy,
  writeImageRecord,
} from "@lambda-images/function-config";
import {
  checkEngine,
  DockerCommandError,
  docker,
  dockerOk,
  type EngineInfo,
  inspectImage,
} from "../docker/engine.js";
import { baseImageArgs, type ParsedDockerfile, parseDockerfile } from "../dockerfile/parse.js";
import { type BaseImageDefinition, discoverBaseImages } from "../images/config.js";
import { functionDockerfile } from "../lint/targets.js";
import { LOCAL_TARGET_FOLDER, type LocalTargetContext, localImageTag } from "../local/local-target.js";
import { buildContentHash } from "./content-hash.js";
import type { BaseOverrides } from "./overrides.js";

export const LABEL_PREFIX = "org.lambda-images";

export const PLATFORMS: Readonly<Record<Architecture, string>> = {
  x86_64: "linux/amd64",
  arm64: "linux/arm64",
};

/** What a build gives: what its record says about the image, and the build's output. */
export interface BuiltImage extends BuiltImageRecord {
  /** The full build log (absent when reused). */
  readonly log: string | undefined;
}

export interface ImageBuilderOptions {
  readonly root: string;
  readonly overrides: BaseOverrides;
  readonly env?: NodeJS.ProcessEnv;
  /** Forces one platform for every build (IMAGE_PLATFORM / --platform); otherwise the function's architecture. */
  readonly platform?: string;
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

/** What follows a build as it runs (the command line's Progress: a live line on a terminal, plain lines in CI). */
export interface BuildProgress {
  start(label: string): void;
  step(step: string): void;
  end(): void;
}

/**
 * The Dockerfile step a `docker build` output line starts, or undefined: "step 3/9 RUN npm ci" from the classic
 * builder's "Step 3/9 : RUN npm ci" and from BuildKit's "#8 [builder 3/9] RUN npm ci".
 */
export function dockerBuildStep(line: string): string | undefined {
  const classic = /^Step (\d+\/\d+) : (.+)$/.exec(line.trim());
  if (classic) return `step ${classic[1]} ${classic[2]}`;
  const buildkit = /^#\d+ \[(?:([\w.-]+) )?(\d+\/\d+)\] (.+)$/.exec(line.trim());
  if (buildkit) return `step ${buildkit[2]}${buildkit[1] ? ` (${buildkit[1]})` : ""} ${buildkit[3]}`;
  return undefined;
}

interface BuildRequest {
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

export class ImageBuilder {
  readonly #options: ImageBuilderOptions;
  readonly #env: NodeJS.ProcessEnv;
  readonly #baseBuilds = new Map<string, Promise<BuiltImage>>();
  #engine: Promise<EngineInfo> | undefined;

  constructor(options: ImageBuilderOptions) {
    this.#options = options;
    this.#env = options.env ?? process.env;
  }

  /** The engine's details; throws a DockerUnavailableError (missing CLI, engine down) before any build starts. */
  engine(): Promise<EngineInfo> {
    this.#engine ??= checkEngine(this.#env);
    return this.#engine;
  }

  #log(line: string): void {
    this.#options.log?.(line);
  }

  /** Builds (or finds) the shared base image, once per builder and platform. */
  buildBaseImage(image: BaseImageDefinition, platform?: string): Promise<BuiltImage> {
    const key = `${image.reference} ${platform ?? "default"}`;
    let build = this.#baseBuilds.get(key);
    if (!build) {
      build = this.#buildBaseImage(image, platform);
      this.#baseBuilds.set(key, build);
    }
    return build;
  }

  async #buildBaseImage(image: BaseImageDefinition, platform: string | undefined): Promise<BuiltImage> {
    const built = await this.#build({
      dockerfile: image.dockerfile,
      context: image.context,
      repository: image.repository,
      tag: image.tag,
      platform: await this.#platform(platform),
      labels: { [`${LABEL_PREFIX}.base-image`]: image.name, [`${LABEL_PREFIX}.strategy`]: image.strategy },
      logFile: buildLogFile(baseImageRecordFile(image.dir)),
    });
    writeImageRecord("base", baseImageRecordFile(image.dir), { name: image.name, ...built });
    return built;
  }

  /** Builds `<function>:<strategy>` (its shared base first) and records it in functions/<name>/.image/<strategy>.json. */
  async buildFunctionImage(fn: FunctionDefinition, strategy: Strategy): Promise<FunctionImageRecord> {
    const built = await this.#build({
      dockerfile: functionDockerfile(fn, strategy),
      context: fn.dir,
      repository: fn.name,
      tag: strategy,
      platform: await this.#platform(PLATFORMS[fn.architecture]),
      labels: {
        [`${LABEL_PREFIX}.function`]: fn.name,
        [`${LABEL_PREFIX}.strategy`]: strategy,
        [`${LABEL_PREFIX}.handler`]: fn.lambdaHandler,
      },
      logFile: buildLogFile(imageRecordFile(fn, strategy)),
    });
    return writeImageRecord("function", imageRecordFile(fn, strategy), {
      function: fn.name,
      strategy,
      handler: fn.lambdaHandler,
      builtAt: new Date().toISOString(),
      ...built,
    });
  }

  /**
   * Builds the local-only `<function>:<strategy>-local` on top of the production image `production` (see
   * images/local-emulator): the same image plus this project's emulator as aws-lambda-rie. Recorded in
   * functions/<name>/.image/<strategy>-local.json.
   */
  async buildLocalImage(
    fn: FunctionDefinition,
    production: FunctionImageRecord,
    context: LocalTargetContext,
  ): Promise<LocalImageRecord> {
    const strategy = production.strategy;
    const built = await this.#build({
      dockerfile: context.dockerfile,
      context: context.dir,
      repository: fn.name,
      tag: localImageTag(strategy),
      platform: production.platform,
      labels: {
        [`${LABEL_PREFIX}.function`]: fn.name,
        [`${LABEL_PREFIX}.strategy`]: strategy,
        [`${LABEL_PREFIX}.handler`]: fn.lambdaHandler,
        [`${LABEL_PREFIX}.target`]: "local",
      },
      logFile: buildLogFile(localImageRecordFile(fn, strategy)),
      buildArgs: { FUNCTION_IMAGE: production.contentTag },
      display: `${join(LOCAL_TARGET_FOLDER, "Dockerfile")} on ${production.contentTag}`,
      baseIds: { FUNCTION_IMAGE: production.imageId },
    });
    return writeImageRecord("local", localImageRecordFile(fn, strategy), {
      function: fn.name,
      strategy,
      target: "local",
      handler: fn.lambdaHandler,
      builtAt: new Date().toISOString(),
      productionImage: production.contentTag,
      ...built,
    });
  }

  async #platform(wanted: string | undefined): Promise<string> {
    const engine = await this.engine();
    const platform = this.#options.platform ?? wanted ?? engine.platform;
    if (platform !== engine.platform && !engine.buildx) {
      throw new Error(
        `Building for ${platform} needs BuildKit (docker buildx) with emulation, but this engine builds ` +
          `${engine.platform} with the classic builder. Build on a ${platform} machine, install buildx, or set ` +
          `IMAGE_PLATFORM=${engine.platform} for a local-only image.`,
      );
    }
    return platform;
  }

  /** Fills every ARG that a FROM uses: shared images by their content tag, overridden public bases, defaults. */
  async #baseImages(dockerfile: ParsedDockerfile, platform: string): Promise<Record<string, BaseImageUse>> {
    const fromArgs = baseImageArgs(dockerfile);
    const shared = discoverBaseImages(this.#options.root);
    const bases: Record<string, BaseImageUse> = {};
    for (const name of fromArgs) {
      const fallback = dockerfile.globalArgs.get(name);
      if (fallback === undefined) continue;
      const sharedImage = shared.find((image) => image.reference === fallback);
      if (sharedImage) {
        const built = await this.buildBaseImage(sharedImage, platform);
        bases[name] = { default: fallback, used: built.contentTag, id: built.imageId, via: "shared-image" };
        continue;
      }
      const override = this.#options.overrides.get(fallback);
      const used = override ?? fallback;
      const local = await inspectImage(used, this.#env);
      if (!local && override !== undefined) {
        throw new Error(
          `${relative(this.#options.root, dockerfile.file)}: ARG ${name} is overridden with ${used}, which this ` +
            "engine does not have. Build it first (on this project's CI network: bash .ci/docker/stand-ins/build.sh).",
        );
      }
      const arch = platform.split("/")[1];
      if (local && arch !== undefined && local.architecture !== arch) {
        throw new Error(
          `${used} is a ${local.architecture} image but this build is for ${platform}: one architecture per build. ` +
            "Use a base image of that architecture (or a multi-architecture one).",
        );
      }
      bases[name] = {
        default: fallback,
        used,
        id: local?.id,
        via: override === undefined ? "default" : "override",
      };
    }
    return bases;
  }

  async #build(request: BuildRequest): Promise<BuiltImage> {
    const engine = await this.engine();
    const dockerfile = parseDockerfile(request.dockerfile);
    const bases = await this.#baseImages(dockerfile, request.platform);
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
    const display = request.display ?? relative(this.#options.root, request.dockerfile);

    const existing = this.#options.force ? undefined : await inspectImage(contentTag, this.#env);
    if (existing) {
      await dockerOk(["tag", contentTag, image], { env: this.#env });
      this.#log(`${image}: unchanged (${contentTag}), not rebuilt`);
      return {
        image,
        contentTag,
        imageId: existing.id,
        contentHash,
        platform: request.platform,
        sizeBytes: existing.sizeBytes,
        reused: true,
        buildSeconds: 0,
        dockerfile: display,
        bases,
        log: undefined,
      };
    }

    this.#log(
      `${image}: building ${display} for ${request.platform} (${engine.buildx ? "BuildKit" : "classic builder"})`,
    );
    const work = mkdtempSync(join(tmpdir(), "lambda-image-"));
    const iidFile = join(work, "iid");
    const args = [
      ...(engine.buildx ? ["buildx", "build", "--load", "--provenance=false"] : ["build", "--force-rm"]),
      ...(this.#options.force === "no-cache" ? ["--no-cache"] : []),
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
    const { progress } = this.#options;
    progress?.start(image);
    const result = await docker(args, {
      env: { ...this.#env, DOCKER_CLI_HINTS: "false" },
      onOutput: (line) => {
        lines.push(line);
        this.#options.onBuildOutput?.(line);
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
      const hint =
        pulled.length > 0
          ? `\nThe engine had to pull ${pulled.map(([, b]) => b.used).join(", ")}. Without a reachable registry, ` +
            "build local stand-ins and set IMAGE_BASE_OVERRIDES (see docs/stand-ins.md)."
          : "";
      const error = new DockerCommandError(args, result);
      error.message = `Building ${image} from ${display} failed (full log: ${relative(this.#options.root, request.logFile)}).\n${error.message}${hint}`;
      throw error;
    }
    const imageId = readFileSync(iidFile, "utf8").trim();
    rmSync(work, { recursive: true, force: true });
    const details = await inspectImage(imageId, this.#env);
    this.#log(`${image}: built ${contentTag} in ${buildSeconds.toFixed(1)} s`);
    return {
      image,
      contentTag,
      imageId,
      contentHash,
      platform: request.platform,
      sizeBytes: details?.sizeBytes ?? 0,
      reused: false,
      buildSeconds,
      dockerfile: display,
      bases,
      log,
    };
  }
}

/** Removes images by tag or id (for tests and benchmarks that build throw-away images). */
export async function removeImages(
  references: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (references.length === 0) return;
  await docker(["image", "rm", "--force", ...references], { env });
}
