/**
 * The built `lambda-local` CLI, spawned as a user runs it, in throwaway workspaces: its output, exit codes and
 * error messages, and dev mode's rebuild-and-recycle.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { createServer, type Server } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildFunction } from "@lambda-images/build";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CommandResult, runCommand } from "../test/support/run-command.js";
import { addTestFunction, createTestWorkspace } from "../test/support/test-workspace.js";

const run = promisify(execFile);
const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(packageDir, "bin", "lambda-local.js");

/** The newest modification time of the sources the CLI is built from. */
function newestSource(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.endsWith(".test.ts")) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

beforeAll(async () => {
  // `pnpm test` builds first (turbo); when the tests run on their own, build a stale or missing dist/.
  const cli = join(packageDir, "dist", "cli.js");
  if (!existsSync(cli) || statSync(cli).mtimeMs < newestSource(join(packageDir, "src"))) {
    await run(join(packageDir, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], {
      cwd: packageDir,
    });
  }
}, 120_000);

const root = createTestWorkspace("lambda-local-cli-");
addTestFunction(root, {
  name: "greeter",
  lambda: { routes: ["GET /greet"] },
  bundle:
    'export const handler = async (event) => { console.log("greeting", event.name); ' +
    'return { greeting: "Hi, " + (event.name ?? "nobody") }; };\n',
});
addTestFunction(root, {
  name: "failing",
  bundle: 'export const handler = async () => { throw new RangeError("out of range on purpose"); };\n',
});
const unbuiltRoot = createTestWorkspace("lambda-local-unbuilt-");
addTestFunction(unbuiltRoot, { name: "unbuilt" });

/** Runs the CLI to completion in `cwd`, optionally feeding stdin. */
function cli(args: string[], cwd: string, stdin?: string): Promise<CommandResult> {
  return runCommand(process.execPath, [bin, ...args], cwd, stdin);
}

describe("lambda-local invoke", () => {
  it("prints the payload on stdout, the logs and the REPORT line on stderr, and exits 0", async () => {
    const eventFile = join(root, "event.json");
    writeFileSync(eventFile, JSON.stringify({ name: "Chris" }));
    const result = await cli(["invoke", "greeter", "--event", "event.json"], root);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ greeting: "Hi, Chris" });
    expect(result.stderr).toMatch(/greeting\s+Chris/);
    expect(result.stderr).toMatch(/REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms/);
  });

  it("reads the event from stdin with --event -", async () => {
    const result = await cli(["invoke", "greeter", "--event", "-"], root, '{"name":"stdin"}');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ greeting: "Hi, stdin" });
  });

  it("sends {} without --event", async () => {
    const result = await cli(["invoke", "greeter"], root);
    expect(JSON.parse(result.stdout)).toEqual({ greeting: "Hi, nobody" });
  });

  it("exits 1 when the function fails, with the error payload on stdout", async () => {
    const result = await cli(["invoke", "failing"], root);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      errorType: "RangeError",
      errorMessage: "out of range on purpose",
    });
    expect(result.stderr).toContain("failing failed: RangeError");
  });

  it("names the functions there are when asked for an unknown one", async () => {
    const result = await cli(["invoke", "nope"], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'lambda-local: Unknown function "nope". Functions in this workspace: failing, greeter.\n',
    );
  });

  it("says to run pnpm build when the function has no bundle", async () => {
    const result = await cli(["invoke", "unbuilt"], unbuiltRoot);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unbuilt: functions/unbuilt/dist/index.mjs is missing");
    expect(result.stderr).toContain("Run pnpm build");
  });

  it("--inspect waits for a debugger on the printed port, then runs the invoke", async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [bin, "invoke", "greeter", "--inspect", "--inspect-port", String(port)],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const listening = new Promise<void>((resolve) =>
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes(`Debugger listening on ws://127.0.0.1:${port}/`)) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    await listening;
    expect(stderr).toContain(`waits for a debugger on 127.0.0.1:${port}`);
    expect(stdout).toBe("");
    const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
      webSocketDebuggerUrl: string;
    }[];
    const socket = new WebSocket(target?.webSocketDebuggerUrl ?? "");
    await new Promise((resolve) => socket.addEventListener("open", resolve));
    // What a debugger sends once attached: the runtime then starts and the invoke runs.
    socket.send(JSON.stringify({ id: 1, method: "Runtime.runIfWaitingForDebugger" }));
    expect(await exited).toBe(0);
    socket.close();
    expect(JSON.parse(stdout)).toEqual({ greeting: "Hi, nobody" });
  }, 60_000);

  it("says where it looked for a missing event file", async () => {
    const result = await cli(["invoke", "greeter", "--event", "nowhere.json"], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Event file "nowhere.json" not found');
    expect(result.stderr).toContain(join(root, "functions", "greeter", "nowhere.json"));
  });

  it("rejects an event that is not JSON", async () => {
    const result = await cli(["invoke", "greeter", "--event", "-"], root, "name=Chris");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("The event from stdin is not JSON");
  });

  it("--build builds the function from its source first, reporting on stderr only", async () => {
    const buildRoot = createTestWorkspace("lambda-local-build-");
    addTestFunction(buildRoot, {
      name: "fresh",
      source: 'export const handler = async () => ({ built: "from source" });\n',
    });
    addTestFunction(buildRoot, { name: "broken", source: "export const handler = async () => ({ ;\n" });
    const result = await cli(["invoke", "fresh", "--build"], buildRoot);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ built: "from source" });
    expect(result.stderr).toMatch(/\[build\] functions\/fresh: [\d.]+ KB in \d+ ms/);

    const broken = await cli(["invoke", "broken", "--build"], buildRoot);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toContain("broken does not build");
    expect(broken.stderr).toContain("src/index.ts");
  }, 60_000);

  it.each([["ric"], ["fallback"]])(
    "an error thrown in a function's source names its src/*.ts file and line (runtime %s)",
    async (runtime) => {
      const mapRoot = createTestWorkspace("lambda-local-maps-");
      const fn = addTestFunction(mapRoot, {
        name: "thrower",
        source: 'import { fail } from "./fail.js";\n\nexport const handler = async () => fail("mapped");\n',
      });
      writeFileSync(
        join(fn.dir, "src", "fail.ts"),
        "// A second module, so the bundle's line and column differ from the source's.\n" +
          "export function fail(why: string): never {\n" +
          '  throw new Error("failed on purpose: " + why);\n' +
          "}\n",
      );
      // lambda-build's bundle (minified, with its source map), as pnpm invoke builds it.
      const result = await cli(["invoke", "thrower", "--build", "--runtime", runtime], mapRoot);
      expect(result.code, result.stderr).toBe(1);
      const payload = JSON.parse(result.stdout) as { errorMessage: string; trace?: string[] };
      expect(payload.errorMessage).toBe("failed on purpose: mapped");
      expect((payload.trace ?? []).join("\n"), result.stdout).toMatch(/src\/fail\.ts:3:\d+/);
    },
    60_000,
  );

  it("exits 2 with one line and a hint for a mistyped command", async () => {
    const result = await cli(["invok", "greeter"], root);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      'lambda-local: Unknown command "invok".\nRun lambda-local --help for usage.\n',
    );
  });

  it("stops quietly when its stdout is closed before it writes (lambda-local --help | true)", async () => {
    const { stderr } = await run("sh", ["-c", `"${process.execPath}" "${bin}" dev --help | true`], {
      cwd: root,
    });
    expect(stderr).toBe("");
  });

  it.each([["dev"], ["invoke"]])("%s --help prints the usage on stdout and exits 0", async (command) => {
    const result = await cli([command, "--help"], root);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain(`lambda-local ${command}`);
    expect(result.stdout).toContain("Usage:");
  });
});

/** A port nothing listens on now (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A running `lambda-local` command, with its output so far. */
interface DevProcess {
  readonly child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exit(): Promise<number | null>;
}

/** Starts `lambda-local dev`; `nodeArgs` go to node itself (e.g. `--import` a module into the process). */
function startDev(
  args: string[],
  cwd: string,
  nodeArgs: string[] = [],
  extraEnv: NodeJS.ProcessEnv = {},
): DevProcess {
  return startLambdaLocal(["dev", ...args], cwd, nodeArgs, extraEnv);
}

function startLambdaLocal(
  args: string[],
  cwd: string,
  nodeArgs: string[] = [],
  extraEnv: NodeJS.ProcessEnv = {},
): DevProcess {
  const { INIT_CWD: _initCwd, FORCE_COLOR: _force, NO_COLOR: _no, ...inherited } = process.env;
  const env = { ...inherited, ...extraEnv };
  const child = spawn(process.execPath, [...nodeArgs, bin, ...args], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let closed = false;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    notify();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      closed = true;
      notify();
      resolve(code);
    }),
  );
  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (!match && !closed) return;
          listeners.delete(check);
          clearTimeout(timer);
          if (match) resolve(match);
          else
            reject(
              new Error(
                `lambda-local exited (code ${child.exitCode}) before printing ${pattern}:\n${output}`,
              ),
            );
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern} in:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    exit: () => exited,
  };
}

describe("lambda-local dev", () => {
  let blocker: Server;
  let blockedPort: number;

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    blockedPort = (blocker.address() as { port: number }).port;
  });

  afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

  it("says which port is taken and how to choose another", async () => {
    const result = await cli(["dev", "--no-watch", "--port", String(blockedPort), "--http-port", "0"], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Port ${blockedPort} (Invoke API) is already in use`);
    expect(result.stderr).toContain(`--port ${blockedPort + 1}`);
  });

  it("says which function is unknown for --default-function", async () => {
    const result = await cli(["dev", "--no-watch", "--default-function", "nope"], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unknown function "nope" for --default-function');
    expect(result.stderr).toContain("failing, greeter");
  });

  it("says to run pnpm build when serving without watch and a bundle is missing", async () => {
    const result = await cli(["dev", "--no-watch", "--port", "0", "--http-port", "0"], unbuiltRoot);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Run pnpm build");
  });

  it("colours the banner when FORCE_COLOR asks (a terminal), never with NO_COLOR or in a pipe", async () => {
    const banners: string[] = [];
    for (const extraEnv of [{ FORCE_COLOR: "1" }, { FORCE_COLOR: "1", NO_COLOR: "1" }, {}]) {
      const dev = startDev(["--no-watch", "--port", "0", "--http-port", "0"], root, [], extraEnv);
      try {
        await dev.waitFor(/Press Ctrl\+C to stop\./);
        banners.push(dev.output());
      } finally {
        dev.child.kill("SIGINT");
      }
      expect(await dev.exit()).toBe(0);
    }
    const [forced, noColour, piped] = banners;
    expect(forced).toContain("\x1b[1mlambda-local:\x1b[22m");
    expect(forced).toMatch(new RegExp(`Invoke API {2}${"\x1b"}\\[36mhttp://127\\.0\\.0\\.1:\\d+`));
    expect(noColour).not.toContain("\x1b[");
    expect(piped).not.toContain("\x1b[");
  }, 120_000);

  describe("Ctrl+C while an Event invocation runs", () => {
    // A function whose invoke runs until the test lets it go: it waits for the file `release` to appear.
    const held = createTestWorkspace("lambda-local-held-");
    addTestFunction(held, {
      name: "held",
      lambda: { timeout: 120 },
      bundle:
        'import { existsSync } from "node:fs";\n' +
        "export const handler = async () => {\n" +
        `  while (!existsSync(${JSON.stringify(join(held, "release"))})) await new Promise((r) => setTimeout(r, 50));\n` +
        '  return "done";\n' +
        "};\n",
    });

    /** Starts dev, sends one Event invoke and waits until the function runs it, then presses Ctrl+C once. */
    async function stopWhileRunning(extraEnv: NodeJS.ProcessEnv): Promise<DevProcess> {
      rmSync(join(held, "release"), { force: true });
      rmSync(join(held, ".local"), { recursive: true, force: true });
      const dev = startDev(["--no-watch", "--port", "0", "--http-port", "0"], held, [], extraEnv);
      const invokeUrl = (await dev.waitFor(/Invoke API {2}(http:\/\/127\.0\.0\.1:\d+)/))[1];
      await dev.waitFor(/Press Ctrl\+C to stop\./);
      const accepted = await fetch(`${invokeUrl}/2015-03-31/functions/held/invocations`, {
        method: "POST",
        headers: { "X-Amz-Invocation-Type": "Event" },
        body: "{}",
      });
      expect(accepted.status).toBe(202);
      await dev.waitFor(/\[held\] START RequestId:/);
      dev.child.kill("SIGINT");
      await dev.waitFor(/waiting for 1 running Event invocation to end/);
      return dev;
    }

    /** Run directly (not under pnpm), a second Ctrl+C stops at once, writing the running event to the record. */
    async function stopAtOnce(): Promise<DevProcess> {
      // The test itself runs under pnpm: its variable is left out (spawn drops undefined values).
      const dev = await stopWhileRunning({ npm_lifecycle_event: undefined });
      dev.child.kill("SIGINT");
      expect(await dev.exit(), dev.output()).toBe(130);
      return dev;
    }

    /**
     * pnpm's copy of the Ctrl+C, a second late (a loaded machine delays pnpm as much as it likes); then the held
     * invoke may end.
     */
    async function lateCopyThenRelease(child: ChildProcess): Promise<void> {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      child.kill("SIGINT");
      await new Promise((resolve) => setTimeout(resolve, 200));
      writeFileSync(join(held, "release"), "");
    }

    it("under pnpm, the repeat of the same signal is pnpm's copy however late it comes: the invoke ends", async () => {
      const dev = await stopWhileRunning({ npm_lifecycle_event: "dev" });
      await lateCopyThenRelease(dev.child);
      expect(await dev.exit(), dev.output()).toBe(0);
      expect(dev.output()).toContain("Stopped. No Event invocations were waiting.");
      expect(existsSync(join(held, ".local", "dead-letters", "held.jsonl"))).toBe(false);
    }, 120_000);

    it("run directly, a second signal stops at once and writes the running invoke to the dead-letter record", async () => {
      const dev = await stopAtOnce();
      expect(dev.output()).toContain(
        "Stopped. 1 queued Event invocation was written to the dead-letter record",
      );
      const record = readFileSync(join(held, ".local", "dead-letters", "held.jsonl"), "utf8");
      expect(record).toContain("stack-stopped");
    }, 120_000);

    it("pnpm invoke --replay-dead-letters: one Ctrl+C (and pnpm's copy) lets the running event finish", async () => {
      await stopAtOnce();
      rmSync(join(held, "release"), { force: true });

      const replay = startLambdaLocal(["invoke", "held", "--replay-dead-letters"], held, [], {
        npm_lifecycle_event: "invoke",
      });
      await replay.waitFor(/\[held\] START RequestId:/);
      replay.child.kill("SIGINT");
      await replay.waitFor(/Stopping: events not run yet go back to the dead-letter record\./);
      await lateCopyThenRelease(replay.child);
      expect(await replay.exit(), replay.output()).toBe(0);
      expect(replay.output()).toContain("Replayed 1 event of held: 1 succeeded, 0 dead-lettered again.");
      expect(existsSync(join(held, ".local", "dead-letters", "held.jsonl"))).toBe(false);
    }, 120_000);
  });

  it("logs an unhandled promise rejection as a bug and keeps serving", async () => {
    // A module loaded into the dev process that leaves a rejection unhandled when the test sends SIGUSR2.
    const plant =
      'data:text/javascript,process.on("SIGUSR2", () => { Promise.reject(new Error("planted by the test")); });';
    const dev = startDev(["--no-watch", "--port", "0", "--http-port", "0"], root, ["--import", plant]);
    try {
      await dev.waitFor(/Press Ctrl\+C to stop\./);
      const invokeUrl = (await dev.waitFor(/Invoke API {2}(http:\/\/127\.0\.0\.1:\d+)/))[1];
      dev.child.kill("SIGUSR2");
      await dev.waitFor(/lambda-local: bug: an unhandled promise rejection; the stack keeps serving/);
      expect(dev.output()).toContain("Error: planted by the test");
      const response = await fetch(`${invokeUrl}/2015-03-31/functions/greeter/invocations`, {
        method: "POST",
        body: '{"name":"after"}',
      });
      expect(await response.json()).toEqual({ greeting: "Hi, after" });
    } finally {
      dev.child.kill("SIGINT");
    }
    expect(await dev.exit()).toBe(0);
  }, 60_000);

  it("prints example commands under Try: that each answer 2xx, run as shown", async () => {
    // Like hello: 400 unless it gets an HTTP API event with ?name=, and an event file to try it with.
    const tryRoot = createTestWorkspace("lambda-local-try-");
    const fn = addTestFunction(tryRoot, {
      name: "namer",
      lambda: { routes: ["GET /hello", "GET /goodbye"] },
      bundle:
        "export const handler = async (event) => { const name = event.queryStringParameters?.name; " +
        "return name && event.version === '2.0' ? { statusCode: 200, body: 'Hi ' + name } " +
        ": { statusCode: 400, body: 'which name?' }; };\n",
    });
    mkdirSync(join(fn.dir, "events"));
    writeFileSync(
      join(fn.dir, "events", "namer.json"),
      JSON.stringify({
        version: "2.0",
        routeKey: "GET /hello",
        rawPath: "/hello",
        rawQueryString: "name=Ada",
        queryStringParameters: { name: "Ada" },
        requestContext: { http: { method: "GET", path: "/hello" } },
      }),
    );
    const dev = startDev(["--no-watch", "--port", "0", "--http-port", "0", "--url-port", "0"], tryRoot);
    try {
      await dev.waitFor(/Press Ctrl\+C to stop\./);
      const tryBlock = dev.output().split("  Try:\n")[1]?.split("\n\n")[0] ?? "";
      const commands = tryBlock
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.startsWith("curl "));
      expect(commands.length, dev.output()).toBeGreaterThanOrEqual(2);
      for (const command of commands) {
        // As a user would: pasted into a shell in the folder pnpm dev runs in; -w adds the HTTP status.
        const { stdout } = await run("sh", ["-c", `${command} -s -w '\\n%{http_code}'`], { cwd: tryRoot });
        const [body = "", status] = [stdout.slice(0, stdout.lastIndexOf("\n")), stdout.split("\n").pop()];
        expect(`${command} -> ${status}`).toMatch(/ -> 2\d\d$/);
        // Through the Invoke API the function's own answer is the payload: an HTTP response must be 2xx too.
        const payload = body.startsWith("{") ? (JSON.parse(body) as { statusCode?: number }) : {};
        expect(`${command} -> ${payload.statusCode ?? 200}: ${body}`).toMatch(/ -> 2\d\d: /);
      }
    } finally {
      dev.child.kill("SIGINT");
    }
    expect(await dev.exit()).toBe(0);
  }, 60_000);

  it("starts with a function that does not build: lists it with its error, serves it once it builds", async () => {
    const brokenRoot = createTestWorkspace("lambda-local-broken-");
    addTestFunction(brokenRoot, {
      name: "working",
      source: 'export const handler = async () => ({ ok: "working" });\n',
    });
    const broken = addTestFunction(brokenRoot, {
      name: "halfwritten",
      source: "export const handler = async () => ({ ;\n",
    });
    const dev = startDev(["--port", "0", "--http-port", "0", "--url-port", "0"], brokenRoot);
    try {
      await dev.waitFor(/Press Ctrl\+C to stop\./);
      const banner = dev.output().slice(dev.output().indexOf("lambda-local: "));
      expect(banner).toMatch(/Not built.*\n\s+halfwritten: .*src\/index\.ts/);
      const invokeUrl = (await dev.waitFor(/Invoke API {2}(http:\/\/127\.0\.0\.1:\d+)/))[1];
      const invoke = async (name: string) => {
        const response = await fetch(`${invokeUrl}/2015-03-31/functions/${name}/invocations`, {
          method: "POST",
          body: "{}",
        });
        return { status: response.status, body: await response.text() };
      };
      expect(await invoke("working")).toEqual({ status: 200, body: '{"ok":"working"}' });
      expect((await invoke("halfwritten")).body).toContain('"errorType":"Runtime.InvalidEntrypoint"');

      writeFileSync(broken.entry, 'export const handler = async () => ({ ok: "now built" });\n');
      await dev.waitFor(/\[build\] functions\/halfwritten: /);
      expect(await invoke("halfwritten")).toEqual({ status: 200, body: '{"ok":"now built"}' });
    } finally {
      dev.child.kill("SIGINT");
    }
    expect(await dev.exit()).toBe(0);
  }, 120_000);

  it("--inspect: a debugger attached over the inspector protocol stops at a breakpoint set by TypeScript line", async () => {
    // A two-file TypeScript function built with its source map, as `pnpm dev` builds it.
    const inspectRoot = createTestWorkspace("lambda-local-inspect-");
    const fn = addTestFunction(inspectRoot, {
      name: "debuggee",
      lambda: { timeout: 1 },
      source:
        'import { greet } from "./greeting.js";\n\n' +
        "export const handler = async (event: { name?: string; waitMs?: number }) => {\n" +
        "  await new Promise((resolve) => setTimeout(resolve, event.waitMs ?? 0));\n" +
        '  return { message: greet(event.name ?? "nobody") };\n};\n',
    });
    const greetingFile = join(fn.dir, "src", "greeting.ts");
    writeFileSync(
      greetingFile,
      "export function greet(name: string): string {\n" +
        '  console.log("greeting", name);\n' + // line 2: the breakpoint
        '  return "Hello, " + name + "!";\n}\n',
    );
    await buildFunction(fn);
    const breakpointLine = 2;
    // As a debugger does, find where greeting.ts line 2 is in the bundle through the bundle's source map.
    const map = new SourceMap(JSON.parse(readFileSync(`${fn.bundle}.map`, "utf8")));
    const bundleLines = readFileSync(fn.bundle, "utf8").split("\n");
    const inGreeting = (line: number, column: number) => {
      const entry = map.findEntry(line, column) as { originalSource?: string; originalLine?: number };
      return (
        entry.originalSource?.endsWith("src/greeting.ts") === true &&
        entry.originalLine === breakpointLine - 1
      );
    };
    let generated: { lineNumber: number; columnNumber: number } | undefined;
    for (const [lineNumber, text] of bundleLines.entries()) {
      const columnNumber = [...text].findIndex((_, column) => inGreeting(lineNumber, column));
      if (columnNumber >= 0) {
        generated = { lineNumber, columnNumber };
        break;
      }
    }
    expect(generated, "greeting.ts line 2 in the source map").toBeDefined();

    const inspectPort = await freePort();
    const dev = startDev(
      [
        "--no-watch",
        "--port",
        "0",
        "--http-port",
        "0",
        "--url-port",
        "0",
        "--inspect=debuggee",
        "--inspect-port",
        String(inspectPort),
      ],
      inspectRoot,
    );
    let socket: WebSocket | undefined;
    try {
      await dev.waitFor(/Press Ctrl\+C to stop\./);
      expect(dev.output()).toMatch(
        new RegExp(
          `Debugger {4}debuggee: node --inspect on 127\\.0\\.0\\.1, port ${inspectPort} and up.*timeouts lifted`,
        ),
      );
      const invokeUrl = (await dev.waitFor(/Invoke API {2}(http:\/\/127\.0\.0\.1:\d+)/))[1];
      const invoke = async (name: string) => {
        const response = await fetch(`${invokeUrl}/2015-03-31/functions/debuggee/invocations`, {
          method: "POST",
          body: JSON.stringify({ name }),
        });
        return response.json();
      };
      // The first invoke starts the instance, whose runtime listens for a debugger on the printed port.
      expect(await invoke("first")).toEqual({ message: "Hello, first!" });
      await dev.waitFor(new RegExp(`\\[debuggee\\] Debugger: attach to 127\\.0\\.0\\.1:${inspectPort} `));
      const targets = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as {
        webSocketDebuggerUrl: string;
      }[];
      const target = targets[0];
      expect(target?.webSocketDebuggerUrl).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${inspectPort}/`));

      // The inspector protocol: answers by id, events by method.
      const opened = new WebSocket(target?.webSocketDebuggerUrl ?? "");
      socket = opened;
      const waiting = new Map<number | string, (message: Record<string, unknown>) => void>();
      opened.addEventListener("message", (event) => {
        const message = JSON.parse(String(event.data)) as Record<string, unknown>;
        const key = (message.id as number | undefined) ?? (message.method as string);
        waiting.get(key)?.(message);
        waiting.delete(key);
      });
      await new Promise((resolve, reject) => {
        opened.addEventListener("open", resolve);
        opened.addEventListener("error", reject);
      });
      let nextId = 0;
      const next = (key: number | string) =>
        new Promise<Record<string, unknown>>((resolve) => waiting.set(key, resolve));
      const send = (method: string, params: Record<string, unknown> = {}) => {
        const id = ++nextId;
        const answer = next(id);
        opened.send(JSON.stringify({ id, method, params }));
        return answer;
      };
      await send("Debugger.enable");
      const breakpoint = await send("Debugger.setBreakpointByUrl", {
        // The function's bundle, not the runtime client's own index.mjs.
        urlRegex: "/functions/debuggee/dist/index\\.mjs$",
        lineNumber: generated?.lineNumber,
        columnNumber: generated?.columnNumber,
      });
      expect(
        (breakpoint.result as { locations: unknown[] }).locations.length,
        JSON.stringify(breakpoint),
      ).toBe(1);

      const paused = next("Debugger.paused");
      const answer = invoke("paused");
      const { params } = (await paused) as {
        params: {
          reason: string;
          callFrames: { functionName: string; location: { lineNumber: number; columnNumber: number } }[];
        };
      };
      const top = params.callFrames[0];
      expect(top && inGreeting(top.location.lineNumber, top.location.columnNumber), JSON.stringify(top)).toBe(
        true,
      );
      await send("Debugger.resume");
      expect(await answer).toEqual({ message: "Hello, paused!" });
      await send("Debugger.removeBreakpoint", {
        breakpointId: (breakpoint.result as { breakpointId: string }).breakpointId,
      });

      // The timeout (1 s) is lifted: a 1.5 s invoke is answered, not timed out.
      const slow = await fetch(`${invokeUrl}/2015-03-31/functions/debuggee/invocations`, {
        method: "POST",
        body: JSON.stringify({ name: "slow", waitMs: 1500 }),
      });
      expect(await slow.json()).toEqual({ message: "Hello, slow!" });
    } finally {
      socket?.close();
      dev.child.kill("SIGINT");
    }
    expect(await dev.exit()).toBe(0);
  }, 120_000);

  // The pure diff (config-diff.test.ts) and LocalStack.update (stack-update.test.ts) are tested on their own; this
  // is the whole loop, through the file watcher.
  it("picks up config live: an added route, a new timeout, a new function folder, a broken and fixed config", async () => {
    const liveRoot = createTestWorkspace("lambda-local-live-");
    const source =
      "export const handler = async (event, context) => ({ statusCode: 200, body: JSON.stringify(" +
      "{ route: event.routeKey, remaining: context.getRemainingTimeInMillis() }) });\n";
    const live = addTestFunction(liveRoot, {
      name: "live",
      lambda: { routes: ["GET /one"], timeout: 5 },
      source,
    });
    const writeConfig = (dir: string, name: string, lambda: unknown) =>
      writeFileSync(
        join(dir, "package.json"),
        JSON.stringify({ name: `@test/${name}`, version: "1.0.0", type: "module", lambda }, null, 2),
      );
    const dev = startDev(["--port", "0", "--http-port", "0", "--url-port", "0"], liveRoot);
    try {
      await dev.waitFor(/Press Ctrl\+C to stop\./);
      const invokeUrl = (await dev.waitFor(/Invoke API {2}(http:\/\/127\.0\.0\.1:\d+)/))[1];
      const httpUrl = (await dev.waitFor(/HTTP API {4}(http:\/\/127\.0\.0\.1:\d+)/))[1];
      const get = async (url: string) => {
        const response = await fetch(url);
        const text = await response.text();
        return { status: response.status, body: response.ok ? JSON.parse(text) : text };
      };
      expect(await get(`${httpUrl}/one`)).toMatchObject({ status: 200, body: { route: "GET /one" } });
      expect((await get(`${httpUrl}/two`)).status).toBe(404);

      // A route added to the "lambda" block is served at once.
      writeConfig(live.dir, "live", { name: "live", routes: ["GET /one", "GET /two"], timeout: 5 });
      await dev.waitFor(/\[config\] live: routes GET \/two added\n/);
      expect(await get(`${httpUrl}/two`)).toMatchObject({ status: 200, body: { route: "GET /two" } });
      expect((await get(`${httpUrl}/one`)).body.remaining).toBeLessThanOrEqual(5000);

      // A new timeout: the next invoke runs in a fresh instance with it.
      writeConfig(live.dir, "live", { name: "live", routes: ["GET /one", "GET /two"], timeout: 60 });
      await dev.waitFor(/\[config\] live: timeout 5 -> 60 s\n/);
      expect((await get(`${httpUrl}/one`)).body.remaining).toBeGreaterThan(5000);

      // A new function folder (source first, then its package.json, as the generator writes it) with a Function URL.
      const freshDir = join(liveRoot, "functions", "fresh");
      mkdirSync(join(freshDir, "src"), { recursive: true });
      writeFileSync(join(freshDir, "src", "index.ts"), source);
      writeConfig(freshDir, "fresh", {
        name: "fresh",
        routes: ["GET /fresh"],
        functionUrl: { authType: "NONE" },
      });
      const url = (
        await dev.waitFor(
          /\[config\] fresh: added \(routes GET \/fresh; Function URL (http:\/\/127\.0\.0\.1:\d+\/)\)\n/,
        )
      )[1];
      expect(await get(`${httpUrl}/fresh`)).toMatchObject({ status: 200, body: { route: "GET /fresh" } });
      expect(await get(`${url}`)).toMatchObject({ status: 200, body: { route: "$default" } });

      // Every save above was a plain writeFileSync (truncate, then write): none was read half-written.
      expect(dev.output()).not.toMatch(/invalid config|: removed/);

      // A broken config: listed with its error, not served; served again once fixed.
      writeConfig(live.dir, "live", { name: "live", routes: ["GET /one", "GET /two"], timeout: "soon" });
      await dev.waitFor(
        /\[config\] functions\/live: invalid config, not served until it is fixed: lambda\.timeout/,
      );
      expect((await get(`${httpUrl}/one`)).status).toBe(404);
      const gone = await fetch(`${invokeUrl}/2015-03-31/functions/live/invocations`, {
        method: "POST",
        body: "{}",
      });
      expect(gone.status).toBe(404);
      writeConfig(live.dir, "live", { name: "live", routes: ["GET /one"], timeout: 60 });
      await dev.waitFor(/\[config\] live: added \(routes GET \/one\)\n/);
      expect(await get(`${httpUrl}/one`)).toMatchObject({ status: 200, body: { route: "GET /one" } });
      expect((await get(`${httpUrl}/two`)).status).toBe(404);
    } finally {
      dev.child.kill("SIGINT");
    }
    expect(await dev.exit()).toBe(0);
  }, 180_000);

  it("serves both ports, rebuilds a changed function, recycles it, skips a broken one, stops on SIGINT", async () => {
    const watchRoot = createTestWorkspace("lambda-local-watch-");
    const fn = addTestFunction(watchRoot, {
      name: "counter",
      lambda: { routes: ["GET /version"] },
      source: 'export const handler = async () => ({ version: "one" });\n',
    });
    // A function whose source is not written yet must not stop the others.
    const unfinished = addTestFunction(watchRoot, { name: "unfinished" });
    rmSync(unfinished.entry);
    const dev = startDev(["--port", "0", "--http-port", "0"], watchRoot);
    try {
      await dev.waitFor(/Press Ctrl\+C to stop\./);
      const invokeUrl = (await dev.waitFor(/Invoke API {2}(http:\/\/127\.0\.0\.1:\d+)/))[1];
      const httpUrl = (await dev.waitFor(/HTTP API {4}(http:\/\/127\.0\.0\.1:\d+)/))[1];
      expect(dev.output()).toMatch(/GET \/version\s+-> counter/);
      expect(dev.output()).toContain("unfinished is not watched; its invokes fail until it builds");

      const invoke = async () => {
        const response = await fetch(`${invokeUrl}/2015-03-31/functions/function/invocations`, {
          method: "POST",
          body: "{}",
        });
        return response.json();
      };
      expect(await invoke()).toEqual({ version: "one" });
      expect(await (await fetch(`${httpUrl}/version`)).json()).toEqual({ version: "one" });

      writeFileSync(fn.entry, 'export const handler = async () => ({ version: "two" });\n');
      await dev.waitFor(/\[build\] functions\/counter: .* reloaded/);
      expect(await invoke()).toEqual({ version: "two" });

      // The function whose source was missing is watched, built and served once its entry is written.
      writeFileSync(unfinished.entry, 'export const handler = async () => ({ finished: "at last" });\n');
      await dev.waitFor(/\[build\] functions\/unfinished: [\d.]+ KB/);
      const late = await fetch(`${invokeUrl}/2015-03-31/functions/unfinished/invocations`, {
        method: "POST",
        body: "{}",
      });
      expect(await late.json(), dev.output()).toEqual({ finished: "at last" });
    } finally {
      dev.child.kill("SIGINT");
    }
    expect(await dev.exit()).toBe(0);
    expect(dev.output()).toContain("SIGINT: stopping the local stack");
  }, 180_000);
});
