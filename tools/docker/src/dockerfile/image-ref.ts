/** Image references such as "public.ecr.aws/lambda/nodejs:24" or "node@sha256:…", split into their parts. */

export interface ImageReference {
  /** Everything before the tag and digest: "public.ecr.aws/lambda/nodejs". */
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

export function parseImageReference(reference: string): ImageReference {
  const at = reference.indexOf("@");
  const digest = at >= 0 ? reference.slice(at + 1) : undefined;
  const named = at >= 0 ? reference.slice(0, at) : reference;
  const colon = named.lastIndexOf(":");
  const slash = named.lastIndexOf("/");
  // A colon before the last slash belongs to a registry's port (localhost:5000/name), not to a tag.
  if (colon > slash) {
    return { repository: named.slice(0, colon), tag: named.slice(colon + 1), digest };
  }
  return { repository: named, tag: undefined, digest };
}

/** Why a reference is not pinned, or undefined when it is (a tag other than "latest", or a digest). */
export function unpinnedReason(reference: string): string | undefined {
  if (reference === "scratch") return undefined;
  const { tag, digest } = parseImageReference(reference);
  if (digest !== undefined) return undefined;
  if (tag === undefined) return `"${reference}" has no tag, so every build may get a different image`;
  if (tag === "latest") return `"${reference}" uses the moving tag "latest"`;
  return undefined;
}
