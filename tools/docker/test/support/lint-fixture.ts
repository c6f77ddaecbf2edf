/**
 * The lint rules' test fixture: a workspace in the system's temporary folder with one function whose Dockerfile
 * is the one a test gives, linted with every rule.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFunction, type Strategy } from "@lambda-images/function-config";
import { formatFinding } from "../../src/lint/findings.js";
import { lintTarget } from "../../src/lint/lint.js";
import { functionDockerfile } from "../../src/lint/targets.js";

export interface FixtureOptions {
  readonly dockerfile: string;
  readonly strategy?: Strategy;
  /** Contents of .dockerignore; null for none. */
  readonly dockerignore?: string | null;
  /** Contents of dist/index.mjs; null for no bundle. */
  readonly bundle?: string | null;
  readonly handler?: string;
  readonly runtime?: "nodejs24.x" | "nodejs22.x";
  readonly extraFiles?: Readonly<Record<string, string>>;
}

const GOOD_BUNDLE = "export const handler = async () => ({ statusCode: 200 });\n";
const USERS = new Map<string, string | undefined>([
  ["lambda-images/node-debian-slim:24", "node"],
  ["lambda-images/node-os-only:24", undefined],
]);

/** A workspace with one function "greeter" whose Dockerfile.<strategy> is `dockerfile`; returns the findings. */
export function lintFixture(options: FixtureOptions) {
  const root = mkdtempSync(join(tmpdir(), "lambda-image-lint-"));
  const dir = join(root, "functions", "greeter");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - functions/*\n");
  const lambda = {
    ...(options.handler ? { handler: options.handler } : {}),
    ...(options.runtime ? { runtime: options.runtime } : {}),
  };
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "@example/greeter", version: "1.0.0", lambda }),
  );
  const bundle = options.bundle === undefined ? GOOD_BUNDLE : options.bundle;
  if (bundle !== null) {
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "index.mjs"), bundle);
  }
  const dockerignore = options.dockerignore === undefined ? "*\n!dist/\n" : options.dockerignore;
  if (dockerignore !== null) writeFileSync(join(dir, ".dockerignore"), dockerignore);
  for (const [name, text] of Object.entries(options.extraFiles ?? {})) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const fn = loadFunction(dir);
  const strategy = options.strategy ?? "aws-base";
  const dockerfile = functionDockerfile(fn, strategy);
  writeFileSync(dockerfile, options.dockerfile);
  const findings = lintTarget({ dockerfile, context: dir, strategy, fn }, { root, baseImageUsers: USERS });
  const messages = findings.map((f) => formatFinding(f, root));
  /** The messages of one rule. */
  const of = (rule: string) => messages.filter((m) => m.includes(`[${rule}]`));
  return { root, findings, messages, of };
}

export const GOOD_AWS_BASE = `ARG BASE_IMAGE=public.ecr.aws/lambda/nodejs:24
FROM \${BASE_IMAGE}
COPY dist/ \${LAMBDA_TASK_ROOT}/
CMD ["index.handler"]
`;
