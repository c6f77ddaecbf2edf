import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

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
  tags: z.array(z.string().min(1)).min(1),
  /** The function's version when it was published. */
  version: z.string().min(1),
  /** ISO time of the push, or of the check that found the tag already there. */
  recordedAt: z.string().min(1),
});
export type DigestRecord = z.infer<typeof digestRecordSchema>;

/** Digest records by function name. */
export type DigestRecords = Readonly<Record<string, DigestRecord>>;

/** The all-zero digest of placeholder mode: valid syntax, never a real image. */
export const PLACEHOLDER_DIGEST = `sha256:${"0".repeat(64)}`;

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

/**
 * The digest each function is deployed with, or one error naming every function that has none.
 */
export function selectDigests(
  functionNames: readonly string[],
  records: DigestRecords,
  where: { stage: string; deployDir: string },
): ReadonlyMap<string, string> {
  const missing = functionNames.filter((name) => records[name] === undefined);
  if (missing.length > 0) {
    const list = missing.map((name) => `"${name}"`).join(", ");
    throw new Error(
      `No image digest recorded for function ${list} in stage "${where.stage}" ` +
        `(looked in ${join(where.deployDir, "digests")}). ` +
        "Publish first: `pnpm turbo run build deploy` does the whole chain, or " +
        "`pnpm turbo run publish --filter <function package>` one function. " +
        "To synthesize before anything is pushed, pass `-c digests=placeholder` (never deployable).",
    );
  }
  return new Map(functionNames.map((name) => [name, (records[name] as DigestRecord).digest]));
}
