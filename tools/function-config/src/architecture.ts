/**
 * A function's architecture as images and machines name it: the platform its images are built for, the
 * architecture this machine runs, and the one message every tool gives when an image is for another platform than
 * the function's config says (the image builder, the publish step, the CDK app).
 */
import { relative } from "node:path";
import type { FunctionDefinition } from "./load.js";
import { findWorkspaceRoot } from "./load.js";
import type { Architecture } from "./schema.js";

/** The platform a function's images are built for: x86_64 is linux/amd64, arm64 is linux/arm64. */
export const ARCHITECTURE_PLATFORMS: Readonly<Record<Architecture, string>> = {
  x86_64: "linux/amd64",
  arm64: "linux/arm64",
};

/** Node's names for the processors Lambda has (`process.arch`), as the config names them. */
const NODE_ARCHITECTURES: Readonly<Record<string, Architecture>> = { x64: "x86_64", arm64: "arm64" };

/** The platform `architecture`'s images are built for ("linux/amd64" or "linux/arm64"). */
export function architecturePlatform(architecture: Architecture): string {
  return ARCHITECTURE_PLATFORMS[architecture];
}

/**
 * The Lambda architecture of this machine's processes (`process.arch` x64 is x86_64, arm64 is arm64), or undefined
 * on a processor Lambda does not have.
 */
export function hostArchitecture(nodeArch: string = process.arch): Architecture | undefined {
  return NODE_ARCHITECTURES[nodeArch];
}

/** "functions/hello": how messages name a function's folder (its path in the workspace, else its name). */
export function shownFunction(definition: Pick<FunctionDefinition, "dir" | "name">): string {
  try {
    return relative(findWorkspaceRoot(definition.dir), definition.dir) || definition.name;
  } catch {
    return definition.name;
  }
}

/** An image as a mismatch message names it: "its recorded image hello:os-only-3f9c0a1b2c4d" and its platform. */
export interface PlatformOf {
  /** How the message names the image, e.g. "its recorded image hello:os-only-3f9c0a1b2c4d". */
  readonly described: string;
  /** The image's platform, e.g. "linux/amd64". */
  readonly platform: string;
}

/**
 * Undefined when `image` is for the platform `definition`'s architecture builds; otherwise the message that says
 * which is which and what to do (`hint`), e.g. "functions/hello is configured for arm64 (linux/arm64) but its
 * recorded image hello:os-only-3f9c0a1b2c4d is linux/amd64; rebuild with `lambda-image build`".
 */
export function architectureMismatch(
  definition: Pick<FunctionDefinition, "dir" | "name" | "architecture">,
  image: PlatformOf,
  hint: string,
): string | undefined {
  const wanted = architecturePlatform(definition.architecture);
  if (image.platform === wanted) return undefined;
  return (
    `${shownFunction(definition)} is configured for ${definition.architecture} (${wanted}) but ` +
    `${image.described} is ${image.platform}; ${hint}`
  );
}

/** Thrown where an image is for another platform than its function's config says (nothing is pushed or deployed). */
export class ArchitectureMismatchError extends Error {
  override readonly name = "ArchitectureMismatchError";
}
