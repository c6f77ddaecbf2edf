/**
 * lambda-export inside the workspace: what the copy holds (no catalog: or workspace: spec, no import of a workspace
 * package, the config block unchanged), that its build command is lambda-build's settings (the same bundle, byte
 * for byte, from the real esbuild), that its Dockerfiles need nothing from images/, and the command line's contract.
 * Installing, testing and imaging the copy outside the workspace is standalone.test.ts.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildFunction, resolvedEsbuildOptions } from "@lambda-images/build";
import { discoverBaseImages, parseDockerfile } from "@lambda-images/docker";
import {
  discoverFunctions,
  type FunctionDefinition,
  findFunction,
  findWorkspaceRoot,
} from "@lambda-images/function-config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { esbuildArgs } from "./build-command.js";
import { ExportError, exportFunction, SUPPORT_DIR } from "./export.js";
import { runCli } from "./run-cli.js";
import { loadWorkspace } from "./workspace.js";

const run = promisify(execFile);
const root = findWorkspaceRoot();
const workspace = loadWorkspace(root);
const temp = mkdtempSync(join(tmpdir(), "lambda-export-test-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

let counter = 0;
const freshTarget = (name: string) => join(temp, `${counter++}`, name);

/** The esbuild binary lambda-build runs (its own dependency), to run the rendered command line with. */
const esbuildBin = join(
  createRequire(join(root, "tools", "build", "package.json")).resolve("esbuild/package.json"),
  "..",
  "bin",
  "esbuild",
);

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

const WORKSPACE_SPEC = /^(catalog|workspace):/;

describe.each(discoverFunctions(root).map((fn) => [fn.name, fn] as const))("exporting %s", (_name, fn) => {
  let target: string;
  let manifest: Record<string, unknown>;
  beforeAll(async () => {
    target = freshTarget(`${fn.name}-copy`);
    await exportFunction(fn, { root, target });
    manifest = readJson(join(target, "package.json"));
  });

  it("pins every dependency: no catalog: or workspace: spec, catalog versions as the workspace resolves them", () => {
    const original = readJson(join(fn.dir, "package.json"));
    for (const field of ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"]) {
      const deps = (manifest[field] ?? {}) as Record<string, string>;
      for (const [name, spec] of Object.entries(deps)) {
        expect(spec, `${field}.${name}`).not.toMatch(WORKSPACE_SPEC);
        expect(workspace.packages.has(name), `${name} is a workspace package`).toBe(false);
        const was = ((original[field] ?? {}) as Record<string, string>)[name];
        if (was === "catalog:") expect(spec, name).toBe(workspace.catalog.get(name));
      }
    }
    expect((manifest.devDependencies as Record<string, string>).esbuild).toBe(
      workspace.catalog.get("esbuild"),
    );
  });

  it('keeps the "lambda" block as it is and has the npm scripts build, test, typecheck and image:<strategy>', () => {
    expect(manifest.lambda).toEqual(readJson(join(fn.dir, "package.json")).lambda);
    const scripts = manifest.scripts as Record<string, string>;
    expect(scripts.build).toMatch(/^esbuild src\/index\.ts /);
    expect(scripts.test).toBe("vitest run");
    expect(scripts.pretest).toBe("npm run build");
    expect(scripts.typecheck).toBe("tsc --noEmit");
    for (const strategy of ["aws-base", "os-only", "non-aws"]) {
      expect(scripts[`image:${strategy}`]).toContain(`docker build -f Dockerfile.${strategy} `);
    }
    for (const command of Object.values(scripts))
      expect(command).not.toMatch(/\blambda-(build|image|local)\b/);
  });

  it("imports nothing from the workspace and extends no workspace tsconfig", () => {
    const text = (file: string) => readFileSync(join(target, file), "utf8");
    for (const file of ["vitest.config.ts", "src/index.ts", "src/index.test.ts"].filter((f) =>
      existsSync(join(target, f)),
    )) {
      expect(text(file), file).not.toMatch(/@lambda-images\//);
    }
    const tsconfig = readJson(join(target, "tsconfig.json"));
    expect(tsconfig.extends).toBeUndefined();
    expect(tsconfig.compilerOptions).toMatchObject({ strict: true, module: "NodeNext", noEmit: true });
    expect(existsSync(join(target, SUPPORT_DIR, "lambda-env.js"))).toBe(true);
  });

  it("renders Dockerfiles that start from no shared image of the workspace and copy only files it wrote", () => {
    const shared = new Set(discoverBaseImages(root).map((image) => image.reference));
    for (const strategy of ["aws-base", "os-only", "non-aws"]) {
      const dockerfile = parseDockerfile(join(target, `Dockerfile.${strategy}`));
      for (const value of dockerfile.globalArgs.values()) expect(shared.has(value ?? "")).toBe(false);
      for (const stage of dockerfile.stages) {
        for (const copy of stage.instructions.filter((i) => i.keyword === "COPY" && !i.flags.has("from"))) {
          for (const source of copy.args.slice(0, -1)) {
            if (source !== "dist/") expect(existsSync(join(target, source)), source).toBe(true);
          }
        }
      }
    }
  });
});

describe("the copy's build command", () => {
  it("is lambda-build's esbuild settings: run with the same esbuild, it writes the same bundle byte for byte", async () => {
    const hello = findFunction("hello", root);
    await buildFunction(hello, { importCheck: false });
    const expected = readFileSync(hello.bundle);
    const out = join(temp, "rendered-build");
    const args = esbuildArgs(hello, await resolvedEsbuildOptions(hello), "dist/meta.json").map((arg) =>
      arg
        .replace(/^--outfile=.*/, `--outfile=${join(out, "index.mjs")}`)
        .replace(/^--metafile=.*/, `--metafile=${join(out, "meta.json")}`),
    );
    await run(esbuildBin, [...args, "--log-level=warning"], { cwd: hello.dir });
    const built = readFileSync(join(out, "index.mjs"));
    expect(built.length).toBe(expected.length);
    expect(built.equals(expected)).toBe(true);
  });

  it("refuses an esbuild option it has no rendering for, naming it", async () => {
    const hello = findFunction("hello", root);
    const options = { ...(await resolvedEsbuildOptions(hello)), keepNames: true };
    expect(() => esbuildArgs(hello, options, "dist/meta.json")).toThrow(/keepNames=true.*build-command\.ts/);
  });
});

describe("the target folder", () => {
  let hello: FunctionDefinition;
  beforeAll(() => {
    hello = findFunction("hello", root);
  });

  it("is refused when it is not empty, unless --force, which keeps .git", async () => {
    const target = freshTarget("busy");
    mkdirSync(join(target, ".git"), { recursive: true });
    writeFileSync(join(target, "notes.txt"), "mine");
    await expect(exportFunction(hello, { root, target })).rejects.toThrow(ExportError);
    await expect(exportFunction(hello, { root, target })).rejects.toThrow(/not empty.*--force/);
    expect(existsSync(join(target, "package.json"))).toBe(false);
    await exportFunction(hello, { root, target, force: true });
    expect(existsSync(join(target, "package.json"))).toBe(true);
    expect(existsSync(join(target, ".git"))).toBe(true);
    expect(existsSync(join(target, "notes.txt"))).toBe(false);
  });

  it("is refused inside the workspace", async () => {
    await expect(exportFunction(hello, { root, target: join(root, "exported-hello") })).rejects.toThrow(
      /inside the workspace/,
    );
    expect(existsSync(join(root, "exported-hello"))).toBe(false);
  });

  it("names the copy after itself, or --name", async () => {
    const named = await exportFunction(hello, { root, target: freshTarget("my-hello") });
    expect(named.name).toBe("my-hello");
    expect(readJson(join(named.target, "package.json")).name).toBe("my-hello");
    const renamed = await exportFunction(hello, { root, target: freshTarget("Out"), name: "greeter" });
    expect(renamed.name).toBe("greeter");
  });
});

describe("lambda-export's command line", () => {
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { cwd: root, out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("--help prints the usage and exits 0", async () => {
    const { code, out } = await cli("--help");
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: lambda-export <function> <folder>/);
  });

  it.each([
    [[]],
    [["hello"]],
    [["hello", "a", "b"]],
    [["hello", "x", "--bogus"]],
    [["hello", "x", "--name"]],
  ])("a wrong command line (%j) exits 2 with one line and a pointer to --help", async (argv) => {
    const { code, err } = await cli(...argv);
    expect(code).toBe(2);
    expect(err.split("\n")).toHaveLength(2);
    expect(err).toMatch(/\nRun lambda-export --help for usage\.$/);
  });

  it("an unknown function exits 1 and lists the functions there are", async () => {
    const { code, err } = await cli("hola", freshTarget("hola"));
    expect(code).toBe(1);
    expect(err).toMatch(/Unknown function "hola".*hello/);
  });

  it("writes the copy and says what it did and what to run next", async () => {
    const target = freshTarget("from-cli");
    const { code, out } = await cli("functions/hello", target);
    expect(code).toBe(0);
    expect(out).toContain(`a standalone copy in ${target}`);
    expect(out).toMatch(/Dockerfile\.os-only: builds lambda-images\/node-os-only:\d+ inline/);
    expect(out).toContain(`cd ${target} && npm install && npm test`);
  });
});
