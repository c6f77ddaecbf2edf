/**
 * Builds images with the local Docker engine: the shared base images under images/, then a function's image for
 * a strategy on top of them, and its local image (the emulator added). Each is built once per content
 * (docker-build.ts) and recorded through the one image record module (tools/function-config).
 */
import { join, relative } from "node:path";
import {
  architectureMismatch,
  architecturePlatform,
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
import { checkEngine, type EngineInfo } from "../docker/engine.js";
import { parseDockerfile } from "../dockerfile/parse.js";
import type { BaseImageDefinition } from "../images/config.js";
import { functionDockerfile } from "../lint/targets.js";
import { LOCAL_TARGET_FOLDER, type LocalTargetContext, localImageTag } from "../local/local-target.js";
import { baseImageUses } from "./base-args.js";
import { withBuildLock } from "./build-lock.js";
import {
  type BuildRequest,
  type BuiltImage,
  buildImage,
  type DockerBuildOptions,
  LABEL_PREFIX,
} from "./docker-build.js";
import type { BaseOverrides } from "./overrides.js";

export interface ImageBuilderOptions extends DockerBuildOptions {
  readonly overrides: BaseOverrides;
  /** Forces one platform for every build (IMAGE_PLATFORM / --platform); otherwise the function's architecture. */
  readonly platform?: string;
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
      platform: await this.#platform(architecturePlatform(fn.architecture)),
      labels: {
        [`${LABEL_PREFIX}.function`]: fn.name,
        [`${LABEL_PREFIX}.strategy`]: strategy,
        [`${LABEL_PREFIX}.handler`]: fn.lambdaHandler,
      },
      logFile: buildLogFile(imageRecordFile(fn, strategy)),
    });
    const record = writeImageRecord("function", imageRecordFile(fn, strategy), {
      function: fn.name,
      strategy,
      handler: fn.lambdaHandler,
      builtAt: new Date().toISOString(),
      ...built,
    });
    // A platform forced with IMAGE_PLATFORM or --platform: an image to run here, which publishing refuses.
    const forced = architectureMismatch(
      fn,
      { described: `this image (${record.contentTag})`, platform: record.platform },
      "it runs locally, but `lambda-image publish` refuses it",
    );
    if (forced !== undefined) this.#options.log?.(`note: ${forced}`);
    return record;
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

  /**
   * The platform to build for. Another platform than the engine's needs no BuildKit: the classic builder builds
   * for the platform it is given too, and runs its RUN steps through the host's emulation (binfmt_misc + qemu),
   * which docker-build.ts names when a step cannot run.
   */
  async #platform(wanted: string | undefined): Promise<string> {
    return this.#options.platform ?? wanted ?? (await this.engine()).platform;
  }

  /** Fills in the Dockerfile's base images (shared ones built first), then builds or re-tags by content. */
  async #build(request: BuildRequest): Promise<BuiltImage> {
    const engine = await this.engine();
    const bases = await baseImageUses(parseDockerfile(request.dockerfile), request.platform, {
      root: this.#options.root,
      overrides: this.#options.overrides,
      env: this.#env,
      buildShared: (image, platform) => this.buildBaseImage(image, platform),
    });
    // One build of this image at a time across processes (the lock sits beside its record and build log).
    const lockFile = `${request.logFile}.lock`;
    return withBuildLock(
      lockFile,
      () => buildImage(request, bases, engine, { ...this.#options, env: this.#env }),
      (holder) =>
        this.#options.log?.(
          `${request.repository}:${request.tag}: process ${holder} is building it; waiting ` +
            `(${relative(this.#options.root, lockFile)} is its lock)`,
        ),
    );
  }
}
