/**
 * The bundled emulator (dist/emulator.mjs), copied alone into a folder with no node_modules and run by plain
 * `node`, as an image runs it: the real aws-lambda-ric as the bootstrap, fixture functions as the task root, real
 * HTTP to its invocations endpoint.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const fixtures = join(packageDir, "test", "support");
/** The built bundle (paths.ts names it relative to the compiled module, so not from src/). */
const EMULATOR_BUNDLE = join(packageDir, "dist", "emulator.mjs");
const ricEntry = createRequire(import.meta.url).resolve("aws-lambda-ric");

function newestSource(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.endsWith(".test.ts")) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

const work = mkdtempSync(join(tmpdir(), "lambda-emulator-"));
const bundle = join(work, "emulator", "emulator.mjs");
const bootstrap = join(work, "runtime", "bootstrap");

/** A task root holding one fixture as index.mjs. */
function taskRoot(fixture: string): string {
  const dir = mkdtempSync(join(work, `${fixture}-`));
  copyFileSync(join(fixtures, `${fixture}.mjs`), join(dir, "index.mjs"));
  return dir;
}

beforeAll(async () => {
  // `pnpm test` builds first (turbo); run alone, rebuild a missing or stale bundle.
  if (
    !existsSync(EMULATOR_BUNDLE) ||
    statSync(EMULATOR_BUNDLE).mtimeMs < newestSource(join(packageDir, "src"))
  ) {
    await run(join(packageDir, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], {
      cwd: packageDir,
    });
    await run(process.execPath, [join(packageDir, "dist", "emulator", "bundle.js")], { cwd: packageDir });
  }
  for (const dir of ["emulator", "runtime"]) rmSync(join(work, dir), { recursive: true, force: true });
  for (const dir of ["emulator", "runtime"]) mkdirSync(join(work, dir), { recursive: true });
  copyFileSync(EMULATOR_BUNDLE, bundle);
  // The images' bootstrap, for the host: start the real Runtime Interface Client.
  writeFileSync(bootstrap, `#!/bin/sh\nexec "${process.execPath}" "${ricEntry}"\n`);
  chmodSync(bootstrap, 0o755);
}, 120_000);

interface Emulator {
  readonly url: string;
  readonly child: ChildProcess;
  output(): string;
  invoke(body: unknown, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<number | null>;
}

const running: Emulator[] = [];
afterAll(async () => {
  await Promise.all(running.map((emulator) => emulator.stop()));
  rmSync(work, { recursive: true, force: true });
});

/** Starts `node emulator.mjs --port 0 ...args` in a folder with no node_modules; resolves once it listens. */
async function startEmulator(args: string[], env: Record<string, string>): Promise<Emulator> {
  const child = spawn(process.execPath, [bundle, "--port", "0", "--host", "127.0.0.1", ...args], {
    cwd: join(work, "emulator"),
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = / on 127\.0\.0\.1:(\d+) /.exec(output)?.[1];
      if (port !== undefined) resolve(`http://127.0.0.1:${port}`);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the emulator exited with ${code}:\n${output}`)));
  });
  const url = await listening;
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
  });
  const emulator: Emulator = {
    url,
    child,
    output: () => output,
    invoke: (body, headers = {}) =>
      fetch(`${url}/2015-03-31/functions/function/invocations`, {
        method: "POST",
        headers,
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
  running.push(emulator);
  return emulator;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the bundled emulator", () => {
  it("is one file that needs no node_modules", () => {
    const text = readFileSync(EMULATOR_BUNDLE, "utf8");
    expect(text).not.toMatch(/from\s*["'](?!node:)[a-z@][^"']*["']/);
    expect(existsSync(join(work, "emulator", "node_modules"))).toBe(false);
  });

  describe("with RIE's defaults and a warm runtime", () => {
    let emulator: Emulator;
    beforeAll(async () => {
      emulator = await startEmulator([bootstrap], {
        LAMBDA_TASK_ROOT: taskRoot("behaviours"),
        _HANDLER: "index.handler",
        GREETING: "from the container",
      });
    });

    it("answers the invocations endpoint with the function's result and Lambda's context", async () => {
      const reply = await emulator.invoke({ action: "echo" });
      expect(reply.status).toBe(200);
      expect(reply.headers.get("x-amz-function-error")).toBeNull();
      const body = (await reply.json()) as {
        context: Record<string, unknown>;
        env: Record<string, string>;
        cwd: string;
      };
      expect(body.context.functionName).toBe("function");
      expect(body.context.memoryLimitInMB).toBe("3008");
      expect(body.context.remainingTimeInMillis).toBeGreaterThan(290_000);
      expect(body.context.awsRequestId).toBe(reply.headers.get("x-amzn-requestid"));
      expect(body.env.GREETING).toBe("from the container");
      expect(body.env._HANDLER).toBe("index.handler");
      expect(body.env.AWS_LAMBDA_RUNTIME_API).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(body.env.LAMBDA_RUNTIME_DIR).toBe("/var/runtime");
      expect(body.cwd).toBe(join(work, "emulator"));
      expect(emulator.output()).toMatch(/^START RequestId: [0-9a-f-]+ Version: \$LATEST$/m);
      expect(emulator.output()).toMatch(
        /^REPORT RequestId: .*\tMemory Size: 3008 MB\tMax Memory Used: \d+ MB/m,
      );
    });

    it("flags a handler error with X-Amz-Function-Error, where RIE sends a bare 200", async () => {
      const reply = await emulator.invoke({ action: "throw", message: "no such order" });
      expect(reply.status).toBe(200);
      expect(reply.headers.get("x-amz-function-error")).toBe("Unhandled");
      expect(await reply.json()).toMatchObject({ errorType: "TypeError", errorMessage: "no such order" });
    });

    it("queues concurrent invokes on its one runtime instead of crashing as RIE does", async () => {
      const replies = await Promise.all(
        [150, 151, 152, 153].map((ms) => emulator.invoke({ action: "sleep", ms })),
      );
      const bodies = (await Promise.all(replies.map((reply) => reply.json()))) as {
        slept: number;
        pid: number;
      }[];
      expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 200]);
      expect(bodies.map((body) => body.slept).sort()).toEqual([150, 151, 152, 153]);
      expect(new Set(bodies.map((body) => body.pid)).size).toBe(1);
    });

    it("answers a runtime crash with Runtime.ExitError and starts a fresh runtime for the next invoke", async () => {
      const crash = await emulator.invoke({ action: "exit", code: 42 });
      expect(crash.headers.get("x-amz-function-error")).toBe("Unhandled");
      const body = (await crash.json()) as { errorType: string; errorMessage: string };
      expect(body.errorType).toBe("Runtime.ExitError");
      expect(body.errorMessage).toMatch(/Runtime exited with error: exit status 42$/);
      const next = (await (await emulator.invoke({ action: "echo" })).json()) as { invocations: number };
      expect(next.invocations).toBe(1);
    });

    it("refuses a body that is not JSON, as Lambda does", async () => {
      const reply = await emulator.invoke("not json");
      expect(reply.status).toBe(400);
      expect(reply.headers.get("x-amzn-errortype")).toBe("InvalidRequestContentException");
    });
  });

  it("times out after AWS_LAMBDA_FUNCTION_TIMEOUT, ending the runtime", async () => {
    const emulator = await startEmulator([bootstrap], {
      LAMBDA_TASK_ROOT: taskRoot("behaviours"),
      _HANDLER: "index.handler",
      // Counted from the hand-over of the event (the init has its own limit), so only the sleep can time out.
      AWS_LAMBDA_FUNCTION_TIMEOUT: "3",
      AWS_LAMBDA_FUNCTION_NAME: "sleepy",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
    });
    const first = (await (await emulator.invoke({ action: "sleep", ms: 10 })).json()) as { pid: number };
    const reply = await emulator.invoke({ action: "sleep", ms: 60_000 });
    expect(reply.headers.get("x-amz-function-error")).toBe("Unhandled");
    const body = (await reply.json()) as { errorType: string; errorMessage: string };
    expect(body).toEqual({
      errorType: "Sandbox.Timedout",
      errorMessage: `RequestId: ${reply.headers.get("x-amzn-requestid")} Error: Task timed out after 3.00 seconds`,
    });
    await expect.poll(() => isRunning(first.pid)).toBe(false);
    expect(emulator.output()).toMatch(/Memory Size: 512 MB.*\tStatus: timeout/);
  });

  it("answers an init error with the runtime's error, on every invoke", async () => {
    const emulator = await startEmulator([bootstrap], {
      LAMBDA_TASK_ROOT: taskRoot("init-error"),
      _HANDLER: "index.handler",
    });
    for (const _attempt of [1, 2]) {
      const reply = await emulator.invoke({});
      expect(reply.headers.get("x-amz-function-error")).toBe("Unhandled");
      expect(await reply.json()).toMatchObject({
        errorType: "Error",
        errorMessage: "init failed on purpose",
      });
    }
  });

  it("takes the handler from the last argument, as RIE does, and stops the runtime on SIGTERM", async () => {
    const emulator = await startEmulator(["--", bootstrap, "index.handler"], {
      LAMBDA_TASK_ROOT: taskRoot("behaviours"),
    });
    const body = (await (await emulator.invoke({ action: "echo" })).json()) as {
      env: Record<string, string>;
      pid?: number;
    };
    expect(body.env._HANDLER).toBe("index.handler");
    const { pid } = (await (await emulator.invoke({ action: "sleep", ms: 1 })).json()) as { pid: number };
    expect(await emulator.stop()).toBe(0);
    expect(isRunning(pid)).toBe(false);
  });

  it("says what is wrong with a missing bootstrap, a handler-less start or a bad timeout", async () => {
    const missing = await startEmulator([join(work, "no-such-bootstrap")], {
      LAMBDA_TASK_ROOT: taskRoot("behaviours"),
      _HANDLER: "index.handler",
    });
    const reply = await missing.invoke({});
    expect(reply.headers.get("x-amz-function-error")).toBe("Unhandled");
    const body = (await reply.json()) as { errorType: string; errorMessage: string };
    expect(body.errorType).toBe("Runtime.InvalidEntrypoint");
    expect(body.errorMessage).toContain("no-such-bootstrap does not exist");

    const cases: [string[], Record<string, string>, RegExp][] = [
      [[bootstrap], {}, /No handler: set _HANDLER/],
      [
        [bootstrap],
        { _HANDLER: "index.handler", AWS_LAMBDA_FUNCTION_TIMEOUT: "3s" },
        /whole number of seconds, not "3s"/,
      ],
      [
        [bootstrap],
        { _HANDLER: "index.handler", AWS_LAMBDA_FUNCTION_TIMEOUT: "901" },
        /AWS_LAMBDA_FUNCTION_TIMEOUT=901/,
      ],
      [["--port", "x"], {}, /--port must be a whole number/],
    ];
    for (const [args, env, message] of cases) {
      const result = await run(process.execPath, [bundle, ...args], {
        env: { PATH: process.env.PATH, ...env },
      }).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(message);
    }
    // Five emulator processes, one after the other: a budget for a busy machine, not a measure of speed.
  }, 180_000);
});
