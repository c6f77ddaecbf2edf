/**
 * The root commands as the README shows them, run for real from the repository: `pnpm invoke` prints only the
 * function's payload on stdout (so it pipes into jq), and the `--help` of each command answers at once.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { addTestFunction, createTestWorkspace } from "./invoke-api/test-workspace.js";
import { runCommand } from "./test-fixtures/run-command.js";

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
