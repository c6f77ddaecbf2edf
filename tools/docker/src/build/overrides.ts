/**
 * Base image overrides: "public name = image to use instead", from IMAGE_BASE_OVERRIDES or --base flags. An
 * override applies to a Dockerfile ARG whose default is the public name (ARG BASE_IMAGE=node:22...), so the
 * Dockerfiles keep their real, pinned defaults and a mirror, a digest or a local stand-in is chosen at build time.
 */
import { baseImageArgs, type ParsedDockerfile } from "../dockerfile/parse.js";

export type BaseOverrides = ReadonlyMap<string, string>;

const ENTRY = /^([^=\s]+)=([^=\s]+)$/;

/**
 * Parses "public=replacement" entries separated by commas, spaces or new lines, e.g.
 * "public.ecr.aws/lambda/nodejs:24=localhost/stand-in/lambda-nodejs:24,node:24.22.3-bookworm-slim=mirror/node:24.22.3-bookworm-slim".
 */
export function parseBaseOverrides(
  text: string | undefined,
  source = "IMAGE_BASE_OVERRIDES",
): Map<string, string> {
  const overrides = new Map<string, string>();
  for (const entry of (text ?? "").split(/[\s,]+/).filter((e) => e.length > 0)) {
    const match = ENTRY.exec(entry);
    if (!match?.[1] || !match[2]) {
      throw new Error(
        `${source}: "${entry}" is not PUBLIC=REPLACEMENT. Write entries such as ` +
          `"public.ecr.aws/lambda/nodejs:24=localhost/stand-in/lambda-nodejs:24", separated by commas.`,
      );
    }
    const previous = overrides.get(match[1]);
    if (previous !== undefined && previous !== match[2]) {
      throw new Error(`${source}: ${match[1]} is overridden twice (${previous} and ${match[2]}); keep one.`);
    }
    overrides.set(match[1], match[2]);
  }
  return overrides;
}

/**
 * The build arguments that apply `overrides` to a Dockerfile: each global ARG a FROM uses whose default is an
 * overridden public name, set to its replacement (`--build-arg BASE_IMAGE=localhost/stand-in/lambda-nodejs:24`).
 */
export function overrideBuildArgs(
  dockerfile: ParsedDockerfile,
  overrides: BaseOverrides,
): Record<string, string> {
  const args: Record<string, string> = {};
  for (const name of baseImageArgs(dockerfile)) {
    const fallback = dockerfile.globalArgs.get(name);
    const replacement = fallback === undefined ? undefined : overrides.get(fallback);
    if (replacement !== undefined) args[name] = replacement;
  }
  return args;
}
