/**
 * What publishing leaves for the deploy: where each function's image lives (its repository and tag names) and
 * the digest record the publish step writes for it, which the CDK app (infra/) reads back. The one reader and
 * writer of `infra/.deploy/<stage>/digests/<function>.json`, and the one home of the names both sides use.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/** The prefix of every stack, repository and function name. */
export const APP_NAME = "lambda-images";

/** The repository of one function in one stage: "lambda-images/dev/hello". */
export function repositoryName(stage: string, functionName: string): string {
  return `${APP_NAME}/${stage}/${functionName}`;
}

/**
 * The image tag the publish step pushes: the function's version and the image's content hash, so a tag names one
 * image forever (the repositories are immutable) and an unchanged function maps to a tag that already exists.
 */
export function contentTag(version: string, contentHash: string): string {
  const hash = contentHash.replace(/^sha256:/, "").slice(0, 12);
  if (!/^[a-f0-9]{12}$/.test(hash)) {
    throw new Error(`Content hash "${contentHash}" is not a hex digest of at least 12 characters.`);
  }
  const safeVersion = version.replace(/[^A-Za-z0-9_.-]/g, "_");
  return `v${safeVersion}-${hash}`;
}

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

/** Where a digest was pushed: ECR in an AWS account, or the local registry of the offline rehearsal. */
export const PUBLISH_TARGETS = ["aws", "local"] as const;
export type PublishTarget = (typeof PUBLISH_TARGETS)[number];

/** What the publish step records for one function, and the CDK app reads back. */
export const digestRecordSchema = z.strictObject({
  function: z.string().min(1),
  target: z.enum(PUBLISH_TARGETS),
  /** Registry host: "123456789012.dkr.ecr.eu-west-1.amazonaws.com" or "127.0.0.1:5000". */
  registry: z.string().min(1),
  /** Repository name inside the registry: "lambda-images/dev/hello". */
  repository: z.string().min(1),
  digest: z.string().regex(DIGEST_PATTERN, 'must look like "sha256:" followed by 64 hex digits'),
  /** What the image runs on, as `docker image inspect` reported it before the push: "linux/amd64". */
  platform: z.string().regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, 'must look like "linux/amd64"'),
  tags: z.array(z.string().min(1)).min(1),
  /** The function's version when it was published. */
  version: z.string().min(1),
  /** ISO time of the push, or of the check that found the tag already there. */
  recordedAt: z.string().min(1),
});
export type DigestRecord = z.infer<typeof digestRecordSchema>;

/** Digest records by function name. */
export type DigestRecords = Readonly<Record<string, DigestRecord>>;

/** `infra/.deploy/<stage>`: this stage's publish records (one file per function, so parallel publishes never race). */
export function stageDeployDir(workspaceRoot: string, stage: string): string {
  return join(workspaceRoot, "infra", ".deploy", stage);
}

function recordFile(deployDir: string, functionName: string): string {
  return join(deployDir, "digests", `${functionName}.json`);
}

/** Writes one function's record atomically (temp file + rename). Returns the file written. */
export function writeDigestRecord(deployDir: string, record: DigestRecord): string {
  const valid = digestRecordSchema.parse(record);
  const file = recordFile(deployDir, valid.function);
  mkdirSync(join(deployDir, "digests"), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(valid, null, 2)}\n`);
  renameSync(temp, file);
  return file;
}

/**
 * Every record in a stage's deploy folder, by function name. A folder that does not exist holds no records. A file
 * that is not a valid record fails with its path and what is wrong.
 */
export function readDigestRecords(deployDir: string): DigestRecords {
  const folder = join(deployDir, "digests");
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => name.endsWith(".json"));
  } catch {
    return {};
  }
  const records: Record<string, DigestRecord> = {};
  for (const name of names.sort()) {
    const file = join(folder, name);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new Error(
        `${file} is not valid JSON (${(error as Error).message}): delete it and publish again.`,
      );
    }
    const parsed = digestRecordSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
      throw new Error(
        `${file} is not a valid digest record (${problems.join("; ")}): delete it and publish again.`,
      );
    }
    if (`${parsed.data.function}.json` !== name) {
      throw new Error(`${file} records function "${parsed.data.function}": the file name must match it.`);
    }
    records[parsed.data.function] = parsed.data;
  }
  return records;
}

/** A stage names stacks, repositories and functions: short, lower-case, DNS-like. */
export const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,15}$/;
export const STAGE_RULE =
  "must start with a lower-case letter and use only a-z, 0-9 and '-' (at most 16 characters)";
