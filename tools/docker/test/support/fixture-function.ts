/**
 * This package's fixture functions: test/fixtures/<name>/ copied into the system's temporary folder, so a build's
 * .image/ records and logs never land in the repository. A fixture folder is laid out as a function is (package.json
 * with its "lambda" block, Dockerfile.<strategy>, .dockerignore, events/), with its ready-made bundle as index.mjs:
 * the copy has it as dist/index.mjs, where a build would put it. Read back through the one config loader.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type FunctionConfigInput,
  type FunctionDefinition,
  findWorkspaceRoot,
  loadFunction,
} from "@lambda-images/function-config";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
const copies: string[] = [];

/** A copy of test/fixtures/<fixture>/ as a built function; `lambda` overrides keys of its "lambda" block. */
export function fixtureFunction(fixture: string, lambda: FunctionConfigInput = {}): FunctionDefinition {
  return loadFunction(copyFixture(fixture, join(temporaryFolder(fixture), fixture), lambda));
}

/**
 * A workspace of one function for the CLI: pnpm-workspace.yaml, functions/<fixture> (as `fixtureFunction` makes it)
 * and images/, a link to this repository's shared base images. Returns its root.
 */
export function fixtureWorkspace(fixture: string): string {
  const root = temporaryFolder(fixture);
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - functions/*\n");
  copyFixture(fixture, join(root, "functions", fixture), {});
  symlinkSync(join(findWorkspaceRoot(), "images"), join(root, "images"));
  return root;
}

function temporaryFolder(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), `lambda-image-${fixture}-`));
  copies.push(dir);
  return dir;
}

function copyFixture(fixture: string, dir: string, lambda: FunctionConfigInput): string {
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  mkdirSync(join(dir, "dist"));
  renameSync(join(dir, "index.mjs"), join(dir, "dist", "index.mjs"));
  if (Object.keys(lambda).length > 0) {
    const file = join(dir, "package.json");
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { lambda?: Record<string, unknown> };
    writeFileSync(file, JSON.stringify({ ...pkg, lambda: { ...pkg.lambda, ...lambda } }, null, 2));
  }
  return dir;
}

/** Removes every copy `fixtureFunction` made; call it from `afterAll`. */
export function removeFixtureFunctions(): void {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
}
