import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { compileCacheDir, managedRuntimeNodeFlags } from "@lambda-images/function-config";
import { nodeBinary } from "@lambda-images/node-runtimes";
import * as esbuild from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { callHandler, createFunction, isolateBundle, removeFixtures } from "../test/support/fixture.js";
import { BuildError, buildFunction, esbuildOptions, REQUIRE_BANNER } from "./index.js";

afterAll(removeFixtures);

const GREETER = {
  "src/index.ts": [
    'import { greeting } from "./greeting.js";',
    "export const handler = async (event: { name?: string }) => ({",
    "  statusCode: 200,",
    '  body: greeting(event.name ?? "world"),',
    "});",
  ].join("\n"),
  "src/greeting.ts": [
    "export function greeting(name: string): string {",
    '  return "Hello, " + name;',
    "}",
    "export function neverCalled(): string {",
    '  return "THIS_CODE_IS_TREE_SHAKEN";',
    "}",
  ].join("\n"),
};

/** A package in the fixture's node_modules. */
function dependency(name: string, pkg: Record<string, unknown>, files: Record<string, string>) {
  const entries = Object.entries(files).map(([path, text]) => [`node_modules/${name}/${path}`, text]);
  return {
    [`node_modules/${name}/package.json`]: JSON.stringify({ name, version: "1.0.0", ...pkg }),
    ...Object.fromEntries(entries),
  };
}

async function buildError(promise: Promise<unknown>): Promise<BuildError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BuildError);
  return error as BuildError;
}

describe("buildFunction", () => {
  it("writes a minified ESM bundle, its source map and the metafile, and the handler runs on its own", async () => {
    const fn = createFunction("greeter", { files: GREETER });
    const report = await buildFunction(fn);

    const bundle = readFileSync(join(fn.dir, "dist", "index.mjs"), "utf8");
    expect(bundle).toMatch(/export\s*\{/);
    expect(bundle).not.toContain("module.exports");
    expect(bundle).not.toContain("THIS_CODE_IS_TREE_SHAKEN");
    expect(bundle).not.toContain("createRequire");
    expect(bundle.trimEnd().split("\n").length).toBeLessThanOrEqual(3);
    expect(bundle.trimEnd().endsWith("//# sourceMappingURL=index.mjs.map")).toBe(true);

    const map = JSON.parse(readFileSync(join(fn.dir, "dist", "index.mjs.map"), "utf8"));
    expect(map.version).toBe(3);
    expect(map.sources).toEqual(expect.arrayContaining(["../src/index.ts", "../src/greeting.ts"]));

    const meta = JSON.parse(readFileSync(join(fn.dir, "dist", "meta.json"), "utf8"));
    expect(meta.outputs["dist/index.mjs"].exports).toEqual(["handler"]);
    expect(Object.keys(meta.inputs)).toEqual(expect.arrayContaining(["src/index.ts", "src/greeting.ts"]));

    expect(report).toMatchObject({
      name: "greeter",
      bundle: fn.bundle,
      bytes: Buffer.byteLength(bundle),
      sourcemap: `${fn.bundle}.map`,
      metafile: join(fn.distDir, "meta.json"),
      exports: ["handler"],
      lambdaHandler: "index.handler",
      requireBanner: false,
    });
    expect(report.gzipBytes).toBe(gzipSync(bundle).length);
    expect(report.inputs.map((input) => input.path).sort()).toEqual(["src/greeting.ts", "src/index.ts"]);

    const { result } = await callHandler(isolateBundle(fn), "handler", { name: "Chris" });
    expect(result).toEqual({ statusCode: 200, body: "Hello, Chris" });
  });

  it("follows the function's build block: no minify, no source map, a differently named handler", async () => {
    const fn = createFunction("plain", {
      lambda: { handler: "main", build: { minify: false, sourcemap: false } },
      files: {
        "src/index.ts": "export async function main() {\n  const answer = 42;\n  return answer;\n}\n",
      },
    });
    const report = await buildFunction(fn);
    const bundle = readFileSync(fn.bundle, "utf8");
    expect(bundle).toContain("const answer = 42;");
    expect(bundle).not.toContain("sourceMappingURL");
    expect(existsSync(`${fn.bundle}.map`)).toBe(false);
    expect(report.sourcemap).toBeUndefined();
    expect(report.lambdaHandler).toBe("index.main");
    expect((await callHandler(isolateBundle(fn), "main")).result).toBe(42);
  });

  it("bundles dependencies, @aws-sdk/* included, unless the function lists them as external", async () => {
    const sdk = dependency(
      "@aws-sdk/client-fixture",
      { type: "module", exports: "./index.js" },
      { "index.js": 'export const clientName = "bundled-sdk-client";\n' },
    );
    const entry = {
      "src/index.ts":
        'import { clientName } from "@aws-sdk/client-fixture";\nexport const handler = async () => clientName;\n',
    };
    const selfContained = createFunction("sdk-inside", { files: { ...sdk, ...entry } });
    await buildFunction(selfContained);
    expect(readFileSync(selfContained.bundle, "utf8")).not.toContain("@aws-sdk/client-fixture");
    expect((await callHandler(isolateBundle(selfContained), "handler")).result).toBe("bundled-sdk-client");

    const external = createFunction("sdk-outside", {
      lambda: { build: { external: ["@aws-sdk/*"] } },
      files: { ...sdk, ...entry },
    });
    await buildFunction(external);
    expect(readFileSync(external.bundle, "utf8")).toMatch(/from\s*"@aws-sdk\/client-fixture"/);
    await expect(callHandler(isolateBundle(external), "handler")).rejects.toThrow(/@aws-sdk\/client-fixture/);
  });

  it("adds the createRequire banner only when CommonJS code requires a module at run time", async () => {
    const files = {
      ...dependency(
        "legacy-cjs",
        { main: "index.js" },
        { "index.js": 'const os = require("node:os");\nexports.platform = () => os.platform();\n' },
      ),
      "src/index.ts":
        'import { platform } from "legacy-cjs";\nexport const handler = async () => platform();\n',
    };
    const fn = createFunction("uses-cjs", { files });
    const report = await buildFunction(fn);
    expect(report.requireBanner).toBe(true);
    expect(readFileSync(fn.bundle, "utf8").startsWith(REQUIRE_BANNER)).toBe(true);
    expect((await callHandler(isolateBundle(fn), "handler")).result).toBe(process.platform);

    // The same bundle without the banner is broken: this is why the banner is there.
    const bare = await esbuild.build(esbuildOptions(fn));
    const bareBundle = bare.outputFiles.find((file) => file.path === fn.bundle);
    expect(bareBundle?.text).not.toContain("createRequire");
    writeFileSync(fn.bundle, bareBundle?.text ?? "");
    await expect(callHandler(isolateBundle(fn), "handler")).rejects.toThrow(/Dynamic require of "node:os"/);
  });

  it("loads the bundle with the function's environment when it checks the handler", async () => {
    const fn = createFunction("needs-env", {
      lambda: { environment: { TABLE_NAME: "orders" } },
      files: {
        "src/index.ts": [
          "const table = process.env.TABLE_NAME;",
          'if (!table) throw new Error("TABLE_NAME is not set");',
          "export const handler = async () => table;",
        ].join("\n"),
      },
    });
    await expect(buildFunction(fn)).resolves.toMatchObject({ exports: ["handler"] });
  });

  it("empties dist/ first, so stale files never reach an image", async () => {
    const fn = createFunction("stale", { files: GREETER });
    await buildFunction(fn);
    writeFileSync(join(fn.distDir, "old-handler.mjs"), "export const handler = 1;\n");
    await buildFunction(fn);
    expect(existsSync(join(fn.distDir, "old-handler.mjs"))).toBe(false);
    expect(existsSync(fn.bundle)).toBe(true);
  });

  it("fills the function's compile cache on its runtime's Node.js, where that node with Lambda's flags looks", async () => {
    const fn = createFunction("cached", { files: GREETER });
    const cacheDir = compileCacheDir(fn.dir);
    rmSync(cacheDir, { recursive: true, force: true });
    await buildFunction(fn);
    // Node's own log names the folder it uses for this node binary, these flags (--expose-gc changes it) and this
    // user; asked about another cache root, so that this node's own entries cannot land in the one checked.
    const elsewhere = mkdtempSync(join(tmpdir(), "compile-cache-tag-"));
    const log = spawnSync(nodeBinary(fn.runtime), [...managedRuntimeNodeFlags(fn.memorySize), "-e", ""], {
      env: { ...process.env, NODE_COMPILE_CACHE: elsewhere, NODE_DEBUG_NATIVE: "COMPILE_CACHE" },
      encoding: "utf8",
    }).stderr;
    rmSync(elsewhere, { recursive: true, force: true });
    const tag = /resolved path .* -> (\S+)/.exec(log)?.[1];
    expect(tag).toBeDefined();
    expect(readdirSync(join(cacheDir, basename(tag ?? ""))).length).toBeGreaterThan(0);
  });
});

describe("buildFunction errors", () => {
  it("names a missing entry and how to fix it", async () => {
    const fn = createFunction("no-entry");
    const error = await buildError(buildFunction(fn));
    expect(error.message).toBe(
      "functions/no-entry: entry src/index.ts does not exist; create it or set lambda.entry in package.json",
    );
    const custom = createFunction("custom-entry", { lambda: { entry: "lib/main.ts" } });
    expect((await buildError(buildFunction(custom))).message).toContain("entry lib/main.ts does not exist");
  });

  it("lists the exports when the configured handler is not one of them, and leaves no dist/", async () => {
    const fn = createFunction("wrong-export", {
      files: { "src/index.ts": "export const main = async () => 1;\nexport function helper() {}\n" },
    });
    const error = await buildError(buildFunction(fn));
    expect(error.message).toMatch(
      /^functions\/wrong-export: src\/index\.ts does not export the handler "handler"/,
    );
    expect(error.message).toMatch(/its exports are: ("main", "helper"|"helper", "main")/);
    expect(error.message).toContain("set lambda.handler in package.json");
    expect(existsSync(fn.distDir)).toBe(false);

    const none = createFunction("no-exports", { files: { "src/index.ts": "console.log(1);\n" } });
    expect((await buildError(buildFunction(none))).message).toContain("it has no exports");
  });

  it("refuses a handler export that is not a function", async () => {
    const fn = createFunction("not-callable", { files: { "src/index.ts": "export const handler = 42;\n" } });
    expect((await buildError(buildFunction(fn))).message).toBe(
      'functions/not-callable: the export "handler" of src/index.ts is a number, not a function. ' +
        'Export the handler function as "handler".',
    );
  });

  it("reports a bundle that throws while loading, as Lambda would, at its source-mapped location", async () => {
    const fn = createFunction("throws-on-load", {
      files: {
        "src/index.ts":
          'export const handler = async () => 1;\nthrow new Error("DATABASE_URL is not set");\n',
      },
    });
    const error = await buildError(buildFunction(fn));
    expect(error.message).toBe(
      "functions/throws-on-load: importing dist/index.mjs fails, so the function would fail to initialise in " +
        `Lambda:\n  Error: DATABASE_URL is not set\n  at <anonymous> (${fn.entry}:2:7)`,
    );
    expect(existsSync(fn.distDir)).toBe(false);
  });

  it("shows esbuild's errors with file and line, and removes the previous bundle", async () => {
    const fn = createFunction("syntax", { files: GREETER });
    await buildFunction(fn);
    writeFileSync(join(fn.dir, "src", "greeting.ts"), "export function greeting(name: string) {\n");
    const error = await buildError(buildFunction(fn));
    expect(error.message).toContain("functions/syntax: esbuild failed with 1 error:");
    expect(error.message).toContain("src/greeting.ts:2:0");
    expect(existsSync(fn.distDir)).toBe(false);

    const missingDep = createFunction("missing-dep", {
      files: { "src/index.ts": 'import x from "not-installed";\nexport const handler = async () => x;\n' },
    });
    expect((await buildError(buildFunction(missingDep))).message).toContain(
      'Could not resolve "not-installed"',
    );
  });
});

describe("the bundle's target", () => {
  it("is the Node.js major of the function's runtime", () => {
    expect(esbuildOptions(createFunction("on-24")).target).toBe("node24");
    expect(esbuildOptions(createFunction("on-22", { lambda: { runtime: "nodejs22.x" } })).target).toBe(
      "node22",
    );
  });
});
