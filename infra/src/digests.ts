/**
 * The digests the functions stack deploys by. The publish step (`lambda-image publish`, tools/docker) writes one
 * record per function; the app only reads them, through the same module (`@lambda-images/docker/records`).
 */

import { join } from "node:path";
import type { DigestRecord, DigestRecords } from "@lambda-images/docker/records";
import {
  ArchitectureMismatchError,
  architectureMismatch,
  type FunctionDefinition,
} from "@lambda-images/function-config";

/** The all-zero digest of placeholder mode: valid syntax, never a real image. */
export const PLACEHOLDER_DIGEST = `sha256:${"0".repeat(64)}`;

/** A function as the digest checks need it. */
export type DeployedFunction = Pick<FunctionDefinition, "name" | "dir" | "architecture">;

/**
 * Throws one ArchitectureMismatchError naming every function whose recorded image is for another platform than its
 * config's architecture (an x86_64 image never goes to an arm64 function, nor the other way round).
 */
export function checkRecordedPlatforms(
  functions: readonly DeployedFunction[],
  records: DigestRecords,
  deployDir: string,
): void {
  const problems: string[] = [];
  for (const fn of functions) {
    const record = records[fn.name];
    if (record === undefined) continue;
    const problem = architectureMismatch(
      fn,
      {
        described: `the image recorded for it in ${join(deployDir, "digests", `${fn.name}.json`)} (${record.registry}/${record.repository}@${record.digest})`,
        platform: record.platform,
      },
      "publish it again (`lambda-image publish`, which builds for the configured architecture) before deploying",
    );
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length === 1) throw new ArchitectureMismatchError(`${problems[0]}.`);
  if (problems.length > 1)
    throw new ArchitectureMismatchError(`Nothing deployed:\n  - ${problems.join("\n  - ")}`);
}

/**
 * The digest each function is deployed with, or one error naming every function that has none, or whose recorded
 * image is for another platform than its architecture.
 */
export function selectDigests(
  functions: readonly DeployedFunction[],
  records: DigestRecords,
  where: { stage: string; deployDir: string },
): ReadonlyMap<string, string> {
  const functionNames = functions.map((fn) => fn.name);
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
  checkRecordedPlatforms(functions, records, where.deployDir);
  return new Map(functionNames.map((name) => [name, (records[name] as DigestRecord).digest]));
}
