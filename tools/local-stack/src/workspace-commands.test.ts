/**
 * The root commands as the README shows them, run for real from the repository: `pnpm invoke` prints only the
 * function's payload on stdout (so it pipes into jq), the `--help` of each command answers at once, and Ctrl+C stops
 * `pnpm dev` cleanly.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCommand } from "../test/support/run-command.js";
import { addTestFunction, createTestWorkspace } from "../test/support/test-workspace.js";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const repoRoot = join(packageDir, "..", "..");

describe("pnpm invoke, as the README shows it", () => {
  it("is the local stack's invoke bin: the root package.json has no invoke script (pnpm would print a banner)", () => {
    const rootPackage = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    expect(rootPackage.scripts.invoke).toBeUndefined();
    const stackPackage = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
    expect(stackPackage.bin.invoke).toBe("./bin/invoke.js");
  });

  it("prints only the function's payload on stdout: it parses as JSON", async () => {
    // A workspace like this one, with the bin linked where pnpm install links it, so the repository's own
    // functions are not rebuilt under the other suites' feet.
    const root = createTestWorkspace("pnpm-invoke-");
    const fn = addTestFunction(root, {
      name: "hello",
      source:
        "export const handler = async (event: { queryStringParameters?: { name?: string } }) => " +
        '({ statusCode: 200, body: JSON.stringify({ message: "Hello, " + event.queryStringParameters?.name + "!" }) });\n',
    });
    mkdirSync(join(fn.dir, "events"));
    writeFileSync(join(fn.dir, "events", "hello.json"), '{"queryStringParameters":{"name":"Chris"}}');
    mkdirSync(join(root, "node_modules", ".bin"), { recursive: true });
    symlinkSync(join(packageDir, "bin", "invoke.js"), join(root, "node_modules", ".bin", "invoke"));

    const result = await runCommand(
      "pnpm",
      ["invoke", "hello", "--event", "functions/hello/events/hello.json"],
      root,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ statusCode: 200, body: '{"message":"Hello, Chris!"}' });
    expect(result.stderr).toMatch(/\[build\] functions\/hello: /);
    expect(result.stderr).toMatch(/REPORT RequestId: /);
  }, 240_000);
});

describe("--help of the root commands", () => {
  it.each([["dev"], ["invoke"]])(
    "pnpm %s --help prints the usage without building anything",
    async (command) => {
      const result = await runCommand("pnpm", [command, "--help"], repoRoot);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`lambda-local ${command}`);
      // Nothing was built: neither turbo nor lambda-build printed a line (how long it took is not a test's business).
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/turbo|\[build\]/);
    },
    120_000,
  );
});

describe("pnpm dev, as the README shows it", () => {
  it("stops on Ctrl+C with exit status 0 and no ELIFECYCLE line", async () => {
    // A workspace with the root's own dev script (pointing at this stack) and node linked as pnpm install links it.
    const root = createTestWorkspace("pnpm-dev-");
    addTestFunction(root, { name: "hello" });
    const rootPackage = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    const devScript = String(rootPackage.scripts.dev).replace(
      "tools/local-stack/bin/dev.js",
      join(packageDir, "bin", "dev.js"),
    );
    writeFileSync(
      join(root, "package.json"),
      JSON.stringify({ name: "test-workspace", private: true, scripts: { dev: devScript } }),
    );
    mkdirSync(join(root, "node_modules", ".bin"), { recursive: true });
    symlinkSync(join(repoRoot, "node_modules", ".bin", "node"), join(root, "node_modules", ".bin", "node"));

    const { INIT_CWD: _initCwd, npm_config_reporter: _reporter, ...env } = process.env;
    // Its own process group, like a terminal's foreground job: Ctrl+C signals every process in it.
    const child = spawn("pnpm", ["dev", "--port", "0", "--http-port", "0", "--url-port", "0"], {
      cwd: root,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const ready = new Promise<void>((resolve) => {
      const append = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Press Ctrl+C to stop.")) resolve();
      };
      child.stdout.on("data", append);
      child.stderr.on("data", append);
    });
    const exited = new Promise<string>((resolve) =>
      child.on("close", (code, signal) => resolve(`code ${code}, signal ${signal}`)),
    );
    await Promise.race([ready, exited]);
    expect(output).toContain("Press Ctrl+C to stop.");
    process.kill(-(child.pid as number), "SIGINT");
    const ending = await exited;
    expect(output, `${ending}\n${output}`).toContain("Stopped. No Event invocations were waiting.");
    expect(output, output).not.toContain("ELIFECYCLE");
    expect(ending, output).toBe("code 0, signal null");
  }, 240_000);
});
