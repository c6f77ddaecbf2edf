/** What every rule of the project's own Dockerfile lint gets, and what it returns (see ./index.ts for the rules). */
import { relative } from "node:path";
import type { DockerIgnore } from "../../dockerfile/dockerignore.js";
import type { ParsedDockerfile } from "../../dockerfile/parse.js";
import type { Finding } from "../findings.js";
import type { LintTarget } from "../targets.js";

export interface RuleContext {
  readonly target: LintTarget;
  readonly dockerfile: ParsedDockerfile;
  readonly dockerIgnore: DockerIgnore;
  /** The user the final stage of each shared image runs as, by reference ("lambda-images/node-debian-slim:24"). */
  readonly baseImageUsers: ReadonlyMap<string, string | undefined>;
  /** The folder paths in messages are relative to. */
  readonly root: string;
}

export type Rule = (context: RuleContext) => Finding[];

export function finding(context: RuleContext, line: number, rule: string, message: string): Finding {
  return { file: context.target.dockerfile, line, rule, message };
}

export function show(context: RuleContext, path: string): string {
  return relative(context.root, path) || ".";
}
