/** Lints Dockerfiles with the project's rules and dockerfilelint. */
import { loadDockerIgnore } from "../dockerfile/dockerignore.js";
import { finalStage, parseDockerfile } from "../dockerfile/parse.js";
import { discoverBaseImages } from "../images/config.js";
import { runDockerfilelint } from "./dockerfilelint.js";
import type { Finding } from "./findings.js";
import { RULES, type RuleContext } from "./rules/index.js";
import { type LintTarget, shippedDockerfiles } from "./targets.js";

export interface LintOptions {
  /** The folder paths in messages are relative to (the workspace root). */
  readonly root: string;
  /** The user each shared image's final stage runs as, by reference. See {@link baseImageUsers}. */
  readonly baseImageUsers?: ReadonlyMap<string, string | undefined>;
  /** Only these rules (names of RULES, or "dockerfilelint"). All by default. */
  readonly rules?: readonly string[];
}

/** The user the final stage of each shared image under images/ runs as (its last USER), by image reference. */
export function baseImageUsers(workspaceRoot: string): Map<string, string | undefined> {
  const users = new Map<string, string | undefined>();
  for (const image of discoverBaseImages(workspaceRoot)) {
    const final = finalStage(parseDockerfile(image.dockerfile));
    const user = final?.instructions.filter((i) => i.keyword === "USER").at(-1);
    users.set(image.reference, user?.args[0]);
  }
  return users;
}

export function lintTarget(target: LintTarget, options: LintOptions): Finding[] {
  const context: RuleContext = {
    target,
    dockerfile: parseDockerfile(target.dockerfile),
    dockerIgnore: loadDockerIgnore(target.context),
    baseImageUsers: options.baseImageUsers ?? baseImageUsers(options.root),
    root: options.root,
  };
  const wanted = (name: string) => options.rules === undefined || options.rules.includes(name);
  const findings = Object.entries(RULES)
    .filter(([name]) => wanted(name))
    .flatMap(([, rule]) => rule(context));
  if (wanted("dockerfilelint")) findings.push(...runDockerfilelint(target.dockerfile));
  return findings.sort((a, b) => a.line - b.line);
}

export interface WorkspaceLintResult {
  readonly targets: readonly LintTarget[];
  readonly findings: readonly Finding[];
}

/** Lints every Dockerfile the workspace ships (functions' Dockerfile.<strategy>, images/*\/Dockerfile). */
export function lintWorkspace(root: string): WorkspaceLintResult {
  const targets = shippedDockerfiles(root);
  const users = baseImageUsers(root);
  const findings = targets.flatMap((target) => lintTarget(target, { root, baseImageUsers: users }));
  return { targets, findings };
}
