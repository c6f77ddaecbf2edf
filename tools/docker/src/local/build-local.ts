import type {
  FunctionDefinition,
  FunctionImageRecord,
  LocalImageRecord,
  Strategy,
} from "@lambda-images/function-config";
import type { ImageBuilder } from "../build/builder.js";
import { assembleLocalTarget } from "./local-target.js";

export interface LocalBuild {
  readonly production: FunctionImageRecord;
  readonly local: LocalImageRecord;
}

/**
 * Builds `<function>:<strategy>` (unchanged content is only re-tagged) and then `<function>:<strategy>-local` on
 * top of it. Both are tagged by content, so a second call with nothing changed takes about a second.
 */
export async function buildLocalImage(
  builder: ImageBuilder,
  fn: FunctionDefinition,
  strategy: Strategy,
  root: string,
): Promise<LocalBuild> {
  const production = await builder.buildFunctionImage(fn, strategy);
  const context = assembleLocalTarget(root);
  try {
    return { production, local: await builder.buildLocalImage(fn, production, context) };
  } finally {
    context.dispose();
  }
}
