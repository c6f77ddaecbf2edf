/**
 * Fills in the base images a Dockerfile builds on: every ARG that a FROM uses gets a shared image (images/) by its
 * content tag, built first; an overridden public base (IMAGE_BASE_OVERRIDES); or the Dockerfile's default.
 */
import { relative } from "node:path";
import { inspectImage } from "@lambda-images/docker-cli";
import type { BaseImageUse, BuiltImageRecord } from "@lambda-images/function-config";
import { baseImageArgs, type ParsedDockerfile } from "../dockerfile/parse.js";
import { type BaseImageDefinition, discoverBaseImages } from "../images/config.js";
import type { BaseOverrides } from "./overrides.js";

export interface BaseImageSources {
  /** The workspace root (its images/ are the shared base images). */
  readonly root: string;
  readonly overrides: BaseOverrides;
  readonly env: NodeJS.ProcessEnv;
  /** Builds (or finds) a shared base image for `platform`. */
  buildShared(image: BaseImageDefinition, platform: string): Promise<BuiltImageRecord>;
}

/** How each ARG that a FROM of `dockerfile` uses is filled in for a build for `platform`. */
export async function baseImageUses(
  dockerfile: ParsedDockerfile,
  platform: string,
  sources: BaseImageSources,
): Promise<Record<string, BaseImageUse>> {
  const fromArgs = baseImageArgs(dockerfile);
  const shared = discoverBaseImages(sources.root);
  const bases: Record<string, BaseImageUse> = {};
  for (const name of fromArgs) {
    const fallback = dockerfile.globalArgs.get(name);
    if (fallback === undefined) continue;
    const sharedImage = shared.find((image) => image.reference === fallback);
    if (sharedImage) {
      const built = await sources.buildShared(sharedImage, platform);
      bases[name] = { default: fallback, used: built.contentTag, id: built.imageId, via: "shared-image" };
      continue;
    }
    const override = sources.overrides.get(fallback);
    const used = override ?? fallback;
    const local = await inspectImage(used, { env: sources.env });
    if (!local && override !== undefined) {
      throw new Error(
        `${relative(sources.root, dockerfile.file)}: ARG ${name} is overridden with ${used}, which this ` +
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
