/**
 * Which Dockerfiles the project ships and what each one is for: every function's Dockerfile.<strategy> (built
 * with the function folder as context) and every shared image's Dockerfile under images/.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  discoverFunctions,
  type FunctionDefinition,
  STRATEGIES,
  type Strategy,
} from "@lambda-images/function-config";
import { type BaseImageDefinition, discoverBaseImages } from "../images/config.js";

export interface LintTarget {
  readonly dockerfile: string;
  /** Absolute path of the build context the Dockerfile is built with. */
  readonly context: string;
  readonly strategy: Strategy;
  /** Set for a function's Dockerfile: whose handler the CMD must name. */
  readonly fn?: FunctionDefinition;
  /** Set for a shared image's Dockerfile. */
  readonly baseImage?: BaseImageDefinition;
}

/** The Dockerfile of `fn` for `strategy`: functions/<name>/Dockerfile.<strategy>. */
export function functionDockerfile(fn: FunctionDefinition, strategy: Strategy): string {
  return join(fn.dir, `Dockerfile.${strategy}`);
}

export function functionTargets(fn: FunctionDefinition): LintTarget[] {
  return STRATEGIES.map((strategy) => ({ strategy, dockerfile: functionDockerfile(fn, strategy) }))
    .filter(({ dockerfile }) => existsSync(dockerfile))
    .map(({ strategy, dockerfile }) => ({ dockerfile, context: fn.dir, strategy, fn }));
}

export function baseImageTarget(image: BaseImageDefinition): LintTarget {
  return { dockerfile: image.dockerfile, context: image.context, strategy: image.strategy, baseImage: image };
}

/** Every Dockerfile the project ships, shared images first. */
export function shippedDockerfiles(workspaceRoot: string): LintTarget[] {
  return [
    ...discoverBaseImages(workspaceRoot).map(baseImageTarget),
    ...discoverFunctions(workspaceRoot).flatMap(functionTargets),
  ];
}
