/**
 * Test-only helpers: real function folders in a temporary workspace, and a real Node process that imports a
 * bundle and calls its handler. Excluded from the package build.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { type FunctionDefinition, loadFunction } from "@lambda-images/function-config";

const created: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Deletes every folder the helpers created; call it from `afterAll`. */
export function removeFixtures(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface FixtureOptions {
  /** The "lambda" block; {} takes every default. */
  readonly lambda?: unknown;
  /** Files relative to the function folder, e.g. { "src/index.ts": "..." }. */
  readonly files?: Readonly<Record<string, string>>;
}

/** A workspace in a temp folder holding one function, `functions/<name>`; returns the function folder. */
export function createFunctionDir(name: string, { lambda = {}, files = {} }: FixtureOptions = {}): string {
  const root = tempDir("lambda-build-");
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - functions/*\n");
  const dir = join(root, "functions", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: `@fixture/${name}`, version: "1.0.0", type: "module", lambda }, null, 2),
  );
  for (const [path, text] of Object.entries(files)) writeFixtureFile(dir, path, text);
  return dir;
}

export function createFunction(name: string, options: FixtureOptions = {}): FunctionDefinition {
  return loadFunction(createFunctionDir(name, options));
}

export function writeFixtureFile(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

/** Copies the bundle (and its map) alone into an empty temp folder: no node_modules can be reached from there. */
export function isolateBundle(fn: FunctionDefinition): string {
  const dir = tempDir("lambda-build-isolated-");
  cpSync(fn.distDir, dir, { recursive: true });
  return join(dir, basename(fn.bundle));
}

const CALL_HANDLER = `
import { pathToFileURL } from "node:url";
const [file, name, eventJson] = process.argv.slice(1);
const mod = await import(pathToFileURL(file).href);
const context = { awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678", functionName: "fixture" };
const result = await mod[name](JSON.parse(eventJson), context);
process.stdout.write(JSON.stringify(result ?? null));
`;

export interface HandlerRun {
  readonly result: unknown;
  readonly stderr: string;
}

/** Imports `bundle` in a fresh Node process, calls `exportName(event, context)` and returns its result. */
export function callHandler(bundle: string, exportName: string, event: unknown = {}): Promise<HandlerRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", CALL_HANDLER, bundle, exportName, JSON.stringify(event)],
      { cwd: dirname(bundle), timeout: 20_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`calling ${exportName} in ${bundle} failed: ${stderr || error.message}`));
        else resolve({ result: JSON.parse(stdout) as unknown, stderr });
      },
    );
  });
}
