/**
 * Pushes a function's built image to the function's repository under its content tag and records the digest the
 * registry serves for it, for the CDK app to deploy by.
 */

import { docker, dockerOk, inspectImage } from "@lambda-images/docker-cli";
import {
  ArchitectureMismatchError,
  architectureMismatch,
  type FunctionDefinition,
} from "@lambda-images/function-config";
import { contentTag, type DigestRecord, repositoryName, writeDigestRecord } from "./records.js";
import type { ImageRegistry } from "./registries.js";

/** A built image, as publishing needs it (the image builder's record has both). */
export interface LocalImage {
  /** A reference the local Docker engine knows: the content tag "hello:aws-base-3f9c0a1b2c4d". */
  readonly reference: string;
  /** What names the image's content (hex, 12+ characters): the builder's input hash. */
  readonly contentHash: string;
  /** The platform its record gives ("linux/amd64"): it must be the one the function's architecture builds. */
  readonly platform: string;
}

export interface PublishOptions {
  readonly fn: FunctionDefinition;
  readonly stage: string;
  readonly registry: ImageRegistry;
  /** The stage's deploy folder, where the digest record is written. */
  readonly deployDir: string;
  /** The image to publish. */
  readonly image: LocalImage;
  readonly log?: (line: string) => void;
}

export interface PublishResult {
  readonly record: DigestRecord;
  /** False when the registry already held the content tag, so nothing was pushed. */
  readonly pushed: boolean;
  readonly recordFile: string;
}

/** The digest of `host/repository` among an image's RepoDigests. */
export function digestFor(digests: readonly string[], host: string, repository: string): string | undefined {
  const prefix = `${host}/${repository}@`;
  return digests.find((entry) => entry.startsWith(prefix))?.slice(prefix.length);
}

/**
 * Publishes one function's image: tags it with its version and content hash, and pushes it to the function's
 * repository unless that tag is already there (so an unchanged function is never pushed twice, and immutable
 * tags are never rewritten). Records the digest the registry holds for the tag.
 */
export async function publishFunction(options: PublishOptions): Promise<PublishResult> {
  const { fn, registry, stage } = options;
  const log = options.log ?? (() => {});
  const image = options.image;
  const tag = contentTag(fn.version, image.contentHash);
  const repository = repositoryName(stage, fn.name);
  const remote = `${registry.host}/${repository}:${tag}`;

  // Before the registry is asked anything: an image for another platform than the config's is never pushed.
  checkPlatform(fn, `its recorded image ${image.reference}`, image.platform);
  const existing = await registry.findDigest(repository, tag);
  if (existing !== undefined) log(`${fn.name}: unchanged, ${remote} is already in the registry; not pushed`);
  if (existing === undefined) await checkLocalImage(fn, image.reference);
  const { digest, pushed } =
    existing === undefined
      ? await push({
          registry,
          repository,
          tag,
          source: image.reference,
          log: (line) => log(`${fn.name}: ${line}`),
        })
      : { digest: existing, pushed: false };

  const record: DigestRecord = {
    function: fn.name,
    target: registry.target,
    registry: registry.host,
    repository,
    digest,
    platform: image.platform,
    tags: [tag],
    version: fn.version,
    recordedAt: new Date().toISOString(),
  };
  const recordFile = writeDigestRecord(options.deployDir, record);
  log(`${fn.name}: ${registry.host}/${repository}@${digest} recorded in ${recordFile}`);
  return { record, pushed, recordFile };
}

/** Tags `source` as `host/repository:tag`, pushes it, and returns the digest the registry then serves. */
async function push(options: {
  readonly registry: ImageRegistry;
  readonly repository: string;
  readonly tag: string;
  readonly source: string;
  readonly log: (line: string) => void;
}): Promise<{ digest: string; pushed: boolean }> {
  const { registry, repository, tag } = options;
  const remote = `${registry.host}/${repository}:${tag}`;
  await registry.login();
  await dockerOk(["tag", options.source, remote]);
  try {
    options.log(`pushing ${options.source} as ${remote}`);
    try {
      await dockerOk(["push", remote]);
    } catch (error) {
      // Another publish of the same content may have pushed the tag first, and an immutable repository then
      // refuses this push. The tag names the content, so the image it holds is this one.
      const meanwhile = await registry.findDigest(repository, tag);
      if (meanwhile === undefined) throw error;
      options.log(`${remote} was pushed meanwhile by another publish`);
      return { digest: meanwhile, pushed: false };
    }
    const repoDigests = JSON.parse(
      await dockerOk(["image", "inspect", "--format", "{{json .RepoDigests}}", remote]),
    ) as string[] | null;
    const pushedDigest = digestFor(repoDigests ?? [], registry.host, repository);
    const served = await registry.findDigest(repository, tag);
    if (served === undefined || pushedDigest === undefined || served !== pushedDigest) {
      throw new Error(
        `After pushing ${remote}, docker reports digest ${pushedDigest ?? "none"} but the registry serves ` +
          `${served ?? "nothing"} for the tag: push again, and check that nothing else writes to ${repository}.`,
      );
    }
    return { digest: served, pushed: true };
  } finally {
    await docker(["image", "rm", remote]);
  }
}

/** The image to push as the engine has it, whatever its record says: there, and for `fn`'s architecture. */
async function checkLocalImage(fn: FunctionDefinition, reference: string): Promise<void> {
  const local = await inspectImage(reference);
  if (local === undefined) {
    throw new Error(
      `${reference} is not in this Docker engine: build it (\`lambda-image build\`) and publish again.`,
    );
  }
  checkPlatform(fn, `the local image ${reference}`, local.platform);
}

/** Throws an ArchitectureMismatchError when `platform` is not the one `fn`'s architecture is built for. */
function checkPlatform(fn: FunctionDefinition, described: string, platform: string): void {
  const mismatch = architectureMismatch(
    fn,
    { described, platform },
    `rebuild with \`lambda-image build\` (without IMAGE_PLATFORM or --platform), on an ${fn.architecture} machine or ` +
      `on ${fn.architecture} base images with emulation, then publish again; nothing was pushed`,
  );
  if (mismatch !== undefined) throw new ArchitectureMismatchError(mismatch);
}
