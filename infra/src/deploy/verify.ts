import { readFileSync } from "node:fs";
import type { DigestRecords, ImageRegistry } from "@lambda-images/docker/publish";
import type { FunctionDefinition } from "@lambda-images/function-config";
import { lambdaFunctionName } from "../naming.js";

interface TemplateResource {
  readonly Type?: string;
  readonly Properties?: { FunctionName?: unknown; Code?: { ImageUri?: unknown } };
}

/** The ImageUri of a Lambda function in a synthesized template, with intrinsic functions flattened to text. */
export function imageUriIn(templateFile: string, functionName: string): string | undefined {
  const template = JSON.parse(readFileSync(templateFile, "utf8")) as {
    Resources?: Record<string, TemplateResource>;
  };
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.Type !== "AWS::Lambda::Function") continue;
    if (resource.Properties?.FunctionName !== functionName) continue;
    return JSON.stringify(resource.Properties.Code?.ImageUri ?? "");
  }
  return undefined;
}

/**
 * Checks a synthesized functions template against what the registry holds: every function's image is referenced
 * by the digest recorded for it, and the registry still serves that digest under the recorded tag. Returns one
 * line per function; throws with every mismatch.
 */
export async function verifyTemplateDigests(options: {
  readonly templateFile: string;
  readonly functions: readonly FunctionDefinition[];
  readonly records: DigestRecords;
  readonly registry: ImageRegistry;
  readonly stage: string;
}): Promise<string[]> {
  const problems: string[] = [];
  const lines: string[] = [];
  for (const fn of options.functions) {
    const record = options.records[fn.name];
    if (record === undefined) {
      problems.push(`${fn.name}: no digest recorded`);
      continue;
    }
    const imageUri = imageUriIn(options.templateFile, lambdaFunctionName(options.stage, fn.name));
    const expected = `/${record.repository}@${record.digest}`;
    if (imageUri === undefined) problems.push(`${fn.name}: the template has no function for it`);
    else if (!imageUri.includes(expected)) problems.push(`${fn.name}: the template's image is ${imageUri}`);
    const tag = record.tags[0] ?? "";
    const served = await options.registry.findDigest(record.repository, tag);
    if (served !== record.digest) {
      problems.push(`${fn.name}: the registry serves ${served ?? "nothing"} for ${record.repository}:${tag}`);
    }
    lines.push(`${fn.name}: ${options.registry.host}/${record.repository}:${tag} = ${record.digest}`);
  }
  if (problems.length > 0) {
    throw new Error(`The synthesized template does not match the registry:\n  - ${problems.join("\n  - ")}`);
  }
  return lines;
}
