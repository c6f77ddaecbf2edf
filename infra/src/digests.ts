/**
 * The digests the functions stack deploys by. The publish step (`lambda-image publish`, tools/docker) writes one
 * record per function; the app only reads them, through the same module (`@lambda-images/docker/records`).
 */

import { join } from "node:path";
import type { DigestRecord, DigestRecords } from "@lambda-images/docker/records";

/** The all-zero digest of placeholder mode: valid syntax, never a real image. */
export const PLACEHOLDER_DIGEST = `sha256:${"0".repeat(64)}`;

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
