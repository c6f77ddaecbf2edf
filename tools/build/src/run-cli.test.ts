import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "@lambda-images/cli";
import { afterAll, describe, expect, it } from "vitest";
import { createFunctionDir, removeFixtures } from "../test/support/fixture.js";
import { parseCliArgs, runCli } from "./run-cli.js";

afterAll(removeFixtures);

const BIN = fileURLToPath(new URL("../bin/lambda-build.js", import.meta.url));
const HANDLER = { "src/index.ts": "export const handler = async () => ({ statusCode: 200 });\n" };

interface BinRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real lambda-build bin (the compiled CLI) in `cwd`. */
function runBin(args: string[], cwd: string): Promise<BinRun> {
  if (!existsSync(fileURLToPath(new URL("../dist/cli.js", import.meta.url)))) {
    throw new Error("dist/cli.js is missing: run `pnpm --filter @lambda-images/build build` first");
  }
  return new Promise((resolve) => {
    // A safety net only (the test's own budget is 60 s): far past a build on a loaded machine.
    execFile(process.execPath, [BIN, ...args], { cwd, timeout: 55_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Matches the frames of a JavaScript stack trace. */
const STACK_FRAME = /^\s+at .+[:(]/m;

function captureIo(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      cwd,
      out: (text: string) => out.push(text),
      err: (text: string) => err.push(text),
      waitForStop: () => Promise.resolve(),
    },
  };
}

describe("parseCliArgs", () => {
  it("reads --dir, --watch and --help", () => {
    expect(parseCliArgs([])).toEqual({ dir: undefined, watch: false, help: false });
    expect(parseCliArgs(["--dir", "functions/hello", "--watch"])).toEqual({
      dir: "functions/hello",
      watch: true,
      help: false,
    });
    expect(parseCliArgs(["--dir=x", "-h"])).toEqual({ dir: "x", watch: false, help: true });
  });

  it("names an unknown option and lists the valid ones", () => {
    expect(() => parseCliArgs(["--minify"])).toThrow(UsageError);
    expect(() => parseCliArgs(["--minify"])).toThrow(
      'Unknown option "--minify". Valid options: --dir <path>, --watch, --help.',
    );
    expect(() => parseCliArgs(["-x"])).toThrow('Unknown option "-x"');
    expect(() => parseCliArgs(["functions/hello"])).toThrow('Unexpected argument "functions/hello"');
    expect(() => parseCliArgs(["--dir"])).toThrow("--dir needs a folder");
    expect(() => parseCliArgs(["--watch=yes"])).toThrow("--watch takes no value");
  });
});

describe("runCli", () => {
  it("prints the size report and returns 0", async () => {
    const dir = createFunctionDir("cli-ok", { files: HANDLER });
    const { io, out, err } = captureIo(dir);
    expect(await runCli([], io)).toBe(0);
    expect(err).toEqual([]);
    expect(out.join("\n")).toMatch(/^cli-ok: built dist\/index\.mjs in \d+ ms, handler index\.handler\n/);
    expect(out.join("\n")).toMatch(/bundle +\d[\d,]* B, gzip \d[\d,]* B/);
    expect(out.join("\n")).toContain("src/index.ts");
  });

  it("prints the FunctionConfigError message for an invalid config and returns 1", async () => {
    const dir = createFunctionDir("cli-bad-config", {
      lambda: { timeout: 901, memorySize: "big" },
      files: HANDLER,
    });
    const { io, err } = captureIo(dir);
    expect(await runCli([], io)).toBe(1);
    expect(err.join("\n")).toContain(`${join(dir, "package.json")}: invalid function config`);
    expect(err.join("\n")).toMatch(/lambda\.timeout: .*900/);
    expect(err.join("\n")).toMatch(/lambda\.memorySize: /);
    expect(err.join("\n")).not.toMatch(STACK_FRAME);
  });

  it("builds the folder given by --dir", async () => {
    const dir = createFunctionDir("cli-dir", { files: HANDLER });
    const { io } = captureIo("/");
    expect(await runCli(["--dir", dir], io)).toBe(0);
    expect(existsSync(join(dir, "dist", "index.mjs"))).toBe(true);
  });
});

describe("lambda-build (the bin)", () => {
  it("builds, and exits 0", async () => {
    const dir = createFunctionDir("bin-ok", { files: HANDLER });
    const run = await runBin([], dir);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain("bin-ok: built dist/index.mjs");
  });

  it("exits 2 on an unknown option, listing the valid ones, without a stack trace", async () => {
    const run = await runBin(["--frobnicate"], createFunctionDir("bin-usage", { files: HANDLER }));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'lambda-build: Unknown option "--frobnicate". Valid options: --dir <path>, --watch, --help.\n' +
        "Run lambda-build --help for usage.\n",
    );
  });

  it("exits 1 with the message alone on a user error", async () => {
    const run = await runBin([], createFunctionDir("bin-no-entry"));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "lambda-build: functions/bin-no-entry: entry src/index.ts does not exist; create it or set lambda.entry in package.json\n",
    );
    const wrongExport = createFunctionDir("bin-wrong-export", {
      files: { "src/index.ts": "export const main = async () => 1;\n" },
    });
    const exportRun = await runBin([], wrongExport);
    expect(exportRun.code).toBe(1);
    expect(exportRun.stderr).toContain('does not export the handler "handler"; its exports are: "main"');
    expect(exportRun.stderr).not.toMatch(STACK_FRAME);
  });

  it("--watch rebuilds on a change and stops cleanly on SIGINT", async () => {
    const dir = createFunctionDir("bin-watch", { files: HANDLER });
    const child = spawn(process.execPath, [BIN, "--watch"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    const output = collectOutput(child);
    try {
      await output.waitFor(/watching for changes/);
      const entry = join(dir, "src", "index.ts");
      writeFileSync(`${entry}.tmp`, "export const handler = async () => ({ statusCode: 204 });\n");
      renameSync(`${entry}.tmp`, entry);
      await output.waitFor(/bin-watch: built dist\/index\.mjs[\s\S]*bin-watch: built dist\/index\.mjs/);
      const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGINT");
      expect(await exit).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

/** Everything `child` prints to stdout, and a way to wait until it matches a pattern. */
function collectOutput(child: ChildProcess) {
  let stdout = "";
  let stderr = "";
  let exited = false;
  const listeners = new Set<() => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.once("exit", () => {
    exited = true;
    for (const listener of listeners) listener();
  });
  return {
    waitFor(pattern: RegExp): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout)) {
            listeners.delete(check);
            resolve();
          } else if (exited) {
            listeners.delete(check);
            reject(new Error(`lambda-build exited before printing ${pattern}:\n${stdout}\n${stderr}`));
          }
        };
        listeners.add(check);
        check();
      });
    },
  };
}
