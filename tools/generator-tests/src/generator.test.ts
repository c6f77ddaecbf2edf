/**
 * The function generator (turbo/generators/config.ts) run for real: @turbo/gen's own CLI, non-interactively, in a
 * copy of this workspace (the working tree as git sees it, with its own pnpm install from the local store), then
 * turbo builds, typechecks and tests what it wrote. The copy is deleted afterwards; the repository is never touched.
 */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { discoverFunctions, findWorkspaceRoot } from "@lambda-images/function-config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = findWorkspaceRoot();
const turboGenCli = createRequire(import.meta.url).resolve("@turbo/gen/dist/cli.js");

/** The answers given (an architecture left out takes the default, x86_64) and the architecture each must get. */
const GENERATED = [
  { name: "gen-route", strategy: "os-only", trigger: "http", architecture: [], expected: "x86_64" },
  { name: "gen-queue", strategy: "non-aws", trigger: "sqs", architecture: ["arm64"], expected: "arm64" },
  { name: "gen-plain", strategy: "aws-base", trigger: "none", architecture: ["x86_64"], expected: "x86_64" },
] as const;

let copy = "";

// The budgets below are generous on purpose: @turbo/gen, pnpm and turbo run as real processes, and on a busy
// 2-core machine (turbo runs this suite beside the others) a generation has taken 90 s. No assertion is about time.

/** Under the longest hook's budget (900 s): a process past it is stuck, not slow. */
const SPAWN_TIMEOUT_MS = 14 * 60_000;

function run(command: string, args: readonly string[], cwd = copy): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NO_COLOR: "1", FORCE_COLOR: "0" },
    maxBuffer: 64 * 1024 * 1024,
    // No terminal to answer a prompt: a question the arguments did not answer reads end-of-input, never waits.
    input: "",
    // A hang guard, not a speed limit (inside the hooks' and tests' own limits): a stuck process fails the test
    // with what it printed instead of blocking the whole run.
    timeout: SPAWN_TIMEOUT_MS,
  });
}

function succeed(command: string, args: readonly string[], cwd = copy): string {
  const result = run(command, args, cwd);
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) {
    const how = result.error
      ? `failed (${result.error.message})`
      : `exited ${result.status ?? result.signal}`;
    throw new Error(`${command} ${args.join(" ")} ${how}:\n${output}`);
  }
  return output;
}

/** `turbo gen function --args <name> <strategy> <trigger> [<architecture>]`, through @turbo/gen's CLI. */
function generate(...answers: string[]): SpawnSyncReturns<string> {
  return run(process.execPath, [turboGenCli, "run", "function", "--root", copy, "--args", ...answers]);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are exactly what is stripped
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, "");

/** A Dockerfile's instructions: comments and blank lines dropped, continuation lines kept. */
function instructions(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.trimStart().startsWith("#"));
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "generator-workspace-"));
  const listed = succeed("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], root);
  for (const file of listed.split("\0").filter(Boolean)) {
    const source = join(root, file);
    if (!existsSync(source)) continue; // deleted in the working tree, still in the index
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    copyFileSync(source, join(copy, file));
  }
  // Every package is already in the store this workspace was installed from: no download.
  succeed("pnpm", ["install", "--prefer-offline", "--no-frozen-lockfile"]);
}, 900_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe("turbo gen function, non-interactive", () => {
  it("writes an HTTP function, an SQS worker and a plain function that discovery finds, with no other edit", () => {
    for (const { name, strategy, trigger, architecture, expected } of GENERATED) {
      const result = generate(name, strategy, trigger, ...architecture);
      expect(result.status, plain(result.stdout + result.stderr)).toBe(0);
      expect(plain(result.stdout)).toContain(`${name}: ${strategy}`);
      expect(plain(result.stdout)).toContain(`, ${expected}. Next:`);
    }
    const found = new Map(discoverFunctions(copy).map((fn) => [fn.name, fn]));
    // The answer (or the default) is written into the config, and read back through the one schema.
    for (const { name, expected } of GENERATED) {
      expect(found.get(name)?.architecture, name).toBe(expected);
      const pkg = JSON.parse(readFileSync(join(copy, "functions", name, "package.json"), "utf8")) as {
        lambda: { architecture?: string };
      };
      expect(pkg.lambda.architecture, name).toBe(expected);
    }
    expect(found.get("gen-route")).toMatchObject({
      packageName: "@lambda-images/gen-route",
      runtime: "nodejs24.x",
      strategy: "os-only",
      routes: [{ routeKey: "GET /gen-route", method: "GET", path: "/gen-route" }],
    });
    expect(found.get("gen-route")?.sqs).toBeUndefined();
    expect(found.get("gen-queue")).toMatchObject({
      strategy: "non-aws",
      routes: [],
      sqs: { batchSize: 10, maxBatchingWindowSeconds: 0, maxReceiveCount: 3 },
    });
    expect(found.get("gen-plain")).toMatchObject({ strategy: "aws-base", routes: [] });
    expect(found.get("gen-plain")).not.toHaveProperty("sqs");
    // What was there before is still there.
    for (const existing of discoverFunctions(root)) expect(found.has(existing.name)).toBe(true);
    // turbo runs infra's deploy after each function's publish through infra's dev dependencies.
    const infra = JSON.parse(readFileSync(join(copy, "infra", "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    for (const { name } of GENERATED) {
      expect(infra.devDependencies[`@lambda-images/${name}`], name).toBe("workspace:*");
    }
  }, 600_000);

  it("lays each one out like functions/hello, with hello's Dockerfile instructions", () => {
    for (const { name } of GENERATED) {
      const dir = join(copy, "functions", name);
      for (const file of [
        "package.json",
        "tsconfig.json",
        "vitest.config.ts",
        ".dockerignore",
        "README.md",
        "src/index.ts",
        "src/index.test.ts",
        "src/core.ts",
        "src/core.test.ts",
      ]) {
        expect(existsSync(join(dir, file)), `${name}/${file}`).toBe(true);
      }
      expect(readFileSync(join(dir, ".dockerignore"), "utf8")).toBe(
        readFileSync(join(root, "functions/hello/.dockerignore"), "utf8"),
      );
      for (const strategy of ["aws-base", "os-only", "non-aws"]) {
        expect(instructions(join(dir, `Dockerfile.${strategy}`)), `${name} ${strategy}`).toEqual(
          instructions(join(root, `functions/hello/Dockerfile.${strategy}`)),
        );
        expect(readFileSync(join(dir, `Dockerfile.${strategy}`), "utf8")).toContain(
          `-t ${name}:${strategy} .`,
        );
      }
    }
  });

  it("writes functions that build, typecheck, pass their own tests and are Biome-clean", () => {
    const filters = GENERATED.map(({ name }) => `--filter=@lambda-images/${name}`);
    const output = plain(
      succeed("pnpm", [
        "exec",
        "turbo",
        "run",
        "build",
        "typecheck",
        "test",
        ...filters,
        // This workspace's cache, read-only: the tools the functions build with are restored, not built again
        // (the copy's files are the same, so are their hashes); nothing the copy builds is written back.
        `--cache-dir=${join(root, ".turbo", "cache")}`,
        "--cache=local:r",
        "--output-logs=new-only",
        "--ui=stream",
      ]),
    );
    expect(output).toMatch(/Tasks:\s+(\d+) successful, \1 total/);
    for (const { name } of GENERATED) {
      expect(existsSync(join(copy, "functions", name, "dist", "index.mjs"))).toBe(true);
      expect(output).toMatch(new RegExp(`@lambda-images/${name}:test: .*Tests\\s+\\d+ passed`));
    }
    succeed("pnpm", ["exec", "biome", "check", ...GENERATED.map(({ name }) => `functions/${name}`)]);
  }, 900_000);
});

describe("turbo gen function refuses bad answers, writing nothing", () => {
  const cases = [
    {
      answers: ["Bad_Name", "aws-base", "http"],
      message: `"Bad_Name" must start with a lower-case letter and use only a-z, 0-9 and '-'`,
    },
    { answers: ["hello", "aws-base", "none"], message: "functions/hello already exists: pick another name" },
    {
      answers: ["goodbye", "aws-base", "http"],
      message: `"GET /goodbye" is already a route of function "hello": pick another name.`,
    },
    { answers: ["fine-name", "alpine", "http"], message: `did not recognize "alpine" as a valid list value` },
    { answers: ["fine-name", "aws-base", "cron"], message: `did not recognize "cron" as a valid list value` },
    {
      answers: ["fine-name", "aws-base", "http", "arm32"],
      message: `did not recognize "arm32" as a valid list value`,
    },
  ];
  for (const { answers, message } of cases) {
    it(`--args ${answers.join(" ")}`, () => {
      const before = discoverFunctions(copy).map((fn) => fn.name);
      const result = generate(...answers);
      expect(result.status).toBe(1);
      expect(plain(`${result.stdout}${result.stderr}`)).toContain(message);
      expect(existsSync(join(copy, "functions", "fine-name"))).toBe(false);
      expect(existsSync(join(copy, "functions", "goodbye"))).toBe(false);
      expect(discoverFunctions(copy).map((fn) => fn.name)).toEqual(before);
    }, 180_000);
  }
});
