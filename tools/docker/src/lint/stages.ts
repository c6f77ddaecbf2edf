/** What a stage is built on, and what it inherits from it: shared by the lint rules and the image builder. */
import { type ParsedDockerfile, type ParsedStage, substitute, variablesIn } from "../dockerfile/parse.js";

export type StageBase =
  /** An earlier stage of the same Dockerfile. */
  | { readonly kind: "stage"; readonly stage: ParsedStage }
  /** An image, after substituting global ARG defaults. `viaArg` names the ARG when the FROM used one. */
  | { readonly kind: "image"; readonly reference: string; readonly viaArg: string | undefined }
  /** A variable without a default, or one that no global ARG declares. */
  | { readonly kind: "unresolved"; readonly variable: string; readonly declared: boolean };

export function stageBase(dockerfile: ParsedDockerfile, stage: ParsedStage): StageBase {
  const earlier = dockerfile.stages.slice(0, stage.index);
  const byName = (name: string) => earlier.find((s) => s.name !== undefined && s.name === name);
  const direct = byName(stage.image);
  if (direct) return { kind: "stage", stage: direct };
  const variables = variablesIn(stage.image);
  const resolved = substitute(stage.image, dockerfile.globalArgs);
  if (resolved === undefined) {
    const variable = variables.find((v) => dockerfile.globalArgs.get(v) === undefined) ?? stage.image;
    return { kind: "unresolved", variable, declared: dockerfile.globalArgs.has(variable) };
  }
  const viaStage = byName(resolved);
  if (viaStage) return { kind: "stage", stage: viaStage };
  return { kind: "image", reference: resolved, viaArg: variables[0] };
}

/**
 * The stage and the stages it builds on, nearest first: `FROM builder` makes everything `builder` did part of the
 * stage. Stops at the first stage built on an image.
 */
export function stageLineage(dockerfile: ParsedDockerfile, stage: ParsedStage): ParsedStage[] {
  const lineage: ParsedStage[] = [stage];
  let base = stageBase(dockerfile, stage);
  while (base.kind === "stage" && !lineage.includes(base.stage)) {
    lineage.push(base.stage);
    base = stageBase(dockerfile, base.stage);
  }
  return lineage;
}
