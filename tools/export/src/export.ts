/**
 * Writes a standalone copy of a function: a folder that installs with plain npm, builds the same bundle with one
 * esbuild command, typechecks, tests and builds its images without this workspace. Everything is derived from the
 * function's package.json and the workspace's own files (the catalog, the build tool's esbuild settings, the
 * shared tsconfig and test setup, the shared base images' Dockerfiles); nothing about a particular function is
 * written here.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, posix, relative, resolve, sep } from "node:path";
import { METAFILE_NAME, resolvedEsbuildOptions } from "@lambda-images/build";
import { type BaseImageDefinition, discoverBaseImages } from "@lambda-images/docker";
import { type FunctionDefinition, IMAGE_RECORD_DIR, STRATEGIES } from "@lambda-images/function-config";
import { esbuildArgs, esbuildCommand } from "./build-command.js";
import { renderDockerfile } from "./dockerfile.js";
import { renderReadme } from "./readme.js";
import {
  loadWorkspace,
  type PackageManifest,
  readManifest,
  resolveSpec,
  type Workspace,
  type WorkspacePackage,
  workspacePackageOf,
} from "./workspace.js";

/** A problem the user can fix (a target that is not empty, a dependency that cannot leave the workspace). */
export class ExportError extends Error {
  override readonly name = "ExportError";
}

/** The workspace's tool packages a standalone copy does without, and what stands in for each. */
export const REPLACED_PACKAGES: Readonly<Record<string, string>> = {
  "@lambda-images/build": "the build script: one esbuild command with lambda-build's settings",
  "@lambda-images/docker": "the image:<strategy> scripts: docker build",
  "@lambda-images/tsconfig": "tsconfig.json, its settings inlined",
  "@lambda-images/vitest-config":
    "test/support/: the shared Vitest config, Lambda environment and helpers, copied",
};

/** Where the shared Vitest config and helpers go in the copy. */
export const SUPPORT_DIR = "test/support";

/** The README of the function in the workspace, kept beside the standalone README. */
export const ABOUT_FILE = "ABOUT.md";

const SKIPPED_DIRS = new Set(["node_modules", "dist", ".turbo", IMAGE_RECORD_DIR, ".git"]);
/** Files the export writes itself (rendered), or leaves out as the workspace's own. */
const RENDERED = new Set(["package.json", "tsconfig.json", "README.md", ".dockerignore"]);
const WORKSPACE_ONLY_FILES: Readonly<Record<string, string>> = {
  "turbo.json": "Turborepo's task settings for this workspace",
};
const CODE = /\.(?:[cm]?ts|[cm]?js|tsx|jsx)$/;
const SPECIFIER = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(["'])([^"'\n]+)\2/g;

export interface ExportOptions {
  /** The workspace root (pnpm-workspace.yaml). */
  readonly root: string;
  /** The folder to write; created when missing. */
  readonly target: string;
  /** The package name and image name of the copy (default: the target folder's name, else the function's). */
  readonly name?: string;
  /** Write into a folder that is not empty, replacing its files (.git and node_modules are kept). */
  readonly force?: boolean;
}

export interface ExportReport {
  readonly target: string;
  readonly name: string;
  /** Files written, relative to the target (posix), sorted. */
  readonly files: readonly string[];
  /** Every dependency whose spec changed: `catalog:` to its version. */
  readonly pinned: readonly { readonly name: string; readonly spec: string; readonly version: string }[];
  /** Workspace packages the copy does without, with what replaces them ("" when nothing needs to). */
  readonly replaced: readonly { readonly name: string; readonly by: string }[];
  /** Files and scripts of the function the copy leaves out, and why. */
  readonly leftOut: readonly { readonly what: string; readonly reason: string }[];
  readonly buildCommand: string;
  readonly dockerfiles: readonly { readonly file: string; readonly base: string | undefined }[];
}

/** TypeScript's placeholder for the folder of the tsconfig.json that uses it. */
const CONFIG_DIR = ["$", "{configDir}"].join("");

const FUNCTION_NAME = /^[a-z][a-z0-9-]{0,47}$/;

function toPosix(path: string): string {
  return path.split(sep).join("/");
}

function listFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...listFiles(dir, path));
    } else if (entry.isFile()) {
      out.push(path);
    }
  }
  return out.sort();
}

function prepareTarget(target: string, root: string, force: boolean): void {
  const inside = relative(root, target);
  if (inside === "" || (!inside.startsWith("..") && !inside.startsWith(sep) && !/^[A-Za-z]:/.test(inside))) {
    throw new ExportError(
      `${target} is inside the workspace (${root}), where the workspace's node_modules would stand in for ` +
        "the copy's own. Choose a folder outside it, e.g. ../my-function.",
    );
  }
  if (!existsSync(target)) {
    mkdirSync(target, { recursive: true });
    return;
  }
  const entries = readdirSync(target);
  if (entries.length === 0) return;
  if (!force) {
    throw new ExportError(
      `${target} is not empty (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", ..." : ""}). ` +
        "Choose an empty or new folder, or pass --force to replace its files (.git and node_modules are kept).",
    );
  }
  for (const entry of entries) {
    if (entry === ".git" || entry === "node_modules") continue;
    rmSync(join(target, entry), { recursive: true, force: true });
  }
}

/** The module specifiers a source file imports, with where each one is written. */
function specifiers(text: string): { specifier: string; index: number; length: number; prefix: string }[] {
  return [...text.matchAll(SPECIFIER)].map((match) => ({
    specifier: match[3] ?? "",
    index: match.index + (match[1]?.length ?? 0) + 1,
    length: (match[3] ?? "").length,
    prefix: match[1] ?? "",
  }));
}

/** The file a package subpath import resolves to through the package's "exports" map. */
function exportedFile(pkg: WorkspacePackage, specifier: string): string {
  const subpath = specifier === pkg.name ? "." : `.${specifier.slice(pkg.name.length)}`;
  const entry = pkg.manifest.exports?.[subpath];
  const file = typeof entry === "string" ? entry : (entry?.default ?? entry?.import);
  if (file === undefined) {
    throw new ExportError(
      `${specifier}: ${pkg.name} exports no "${subpath}" (see ${join(pkg.dir, "package.json")}).`,
    );
  }
  return posix.normalize(file);
}

function relativeImport(fromFile: string, toFile: string): string {
  const path = posix.relative(posix.dirname(fromFile), toFile);
  return path.startsWith(".") ? path : `./${path}`;
}

interface SourcePlan {
  readonly kept: Map<string, string>;
  readonly leftOut: { what: string; reason: string }[];
  readonly usedPackages: Set<string>;
}

/**
 * Reads the function's code files and decides each: kept (its imports of the shared test setup pointed at the
 * copy in test/support/), or left out when it imports a workspace package that has no standalone stand-in.
 */
function planSources(fn: FunctionDefinition, workspace: Workspace, files: readonly string[]): SourcePlan {
  const kept = new Map<string, string>();
  const leftOut: { what: string; reason: string }[] = [];
  const usedPackages = new Set<string>();
  const vendored = workspace.packages.get("@lambda-images/vitest-config");
  for (const file of files.filter((f) => CODE.test(f))) {
    const text = readFileSync(join(fn.dir, file), "utf8");
    let rewritten = "";
    let at = 0;
    const blockers: string[] = [];
    for (const found of specifiers(text)) {
      const pkg = workspacePackageOf(workspace, found.specifier);
      if (pkg === undefined) continue;
      if (vendored !== undefined && pkg.name === vendored.name) {
        const target = posix.join(SUPPORT_DIR, exportedFile(pkg, found.specifier));
        rewritten += text.slice(at, found.index) + relativeImport(file, target);
        at = found.index + found.length;
        usedPackages.add(pkg.name);
      } else {
        blockers.push(pkg.name);
      }
    }
    if (blockers.length === 0) {
      kept.set(file, rewritten + text.slice(at));
      continue;
    }
    const unique = [...new Set(blockers)];
    const names = unique.join(", ");
    const isTest = /\.test\.[cm]?[jt]sx?$/.test(file);
    if (!isTest && file.startsWith("src/")) {
      throw new ExportError(
        `${relative(workspace.root, join(fn.dir, file))} imports ${names}, a package of this workspace that a ` +
          "standalone copy cannot install. Publish it to a registry (and depend on its version), or move the code " +
          "the function needs into the function, then export again.",
      );
    }
    const which = unique.length === 1 ? "a package that exists" : "packages that exist";
    leftOut.push({ what: file, reason: `imports ${names}, ${which} only in the workspace` });
  }
  return { kept, leftOut, usedPackages };
}

/** The function's tsconfig.json with every `extends` of a workspace package merged in. */
function inlineTsconfig(fn: FunctionDefinition, workspace: Workspace): Record<string, unknown> {
  const read = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  const chain: Record<string, unknown>[] = [];
  let file = join(fn.dir, "tsconfig.json");
  let config = read(file);
  chain.unshift(config);
  for (let depth = 0; typeof config.extends === "string" && depth < 10; depth += 1) {
    const spec = config.extends;
    const pkg = workspacePackageOf(workspace, spec);
    if (pkg === undefined && !spec.startsWith(".")) {
      throw new ExportError(
        `${file}: extends "${spec}", which lambda-export cannot inline; extend a relative file.`,
      );
    }
    file = pkg === undefined ? resolve(dirname(file), spec) : join(pkg.dir, spec.slice(pkg.name.length + 1));
    config = read(file);
    chain.unshift(config);
  }
  const merged: Record<string, unknown> = {};
  const compilerOptions: Record<string, unknown> = {};
  for (const layer of chain) {
    Object.assign(compilerOptions, layer.compilerOptions ?? {});
    for (const [key, value] of Object.entries(layer)) {
      if (key !== "extends" && key !== "compilerOptions") merged[key] = value;
    }
  }
  const json = JSON.stringify({ ...merged, compilerOptions }).replaceAll(CONFIG_DIR, ".");
  const { $schema, ...rest } = JSON.parse(json) as Record<string, unknown>;
  return { ...($schema === undefined ? {} : { $schema }), compilerOptions: rest.compilerOptions, ...rest };
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** The bins the workspace's packages declare, by bin name. */
function workspaceBins(workspace: Workspace): Map<string, string> {
  const bins = new Map<string, string>();
  for (const pkg of workspace.packages.values()) {
    const bin = pkg.manifest.bin;
    if (bin !== null && typeof bin === "object") {
      for (const name of Object.keys(bin)) bins.set(name, pkg.name);
    }
  }
  return bins;
}

export async function exportFunction(fn: FunctionDefinition, options: ExportOptions): Promise<ExportReport> {
  const workspace = loadWorkspace(options.root);
  const target = resolve(options.target);
  const name = options.name ?? (FUNCTION_NAME.test(basename(target)) ? basename(target) : fn.name);
  if (!FUNCTION_NAME.test(name)) {
    throw new ExportError(`--name ${name}: use lower-case letters, digits and '-', starting with a letter.`);
  }
  const manifestFile = join(fn.dir, "package.json");
  const manifest = readManifest(manifestFile);
  const where = relative(workspace.root, manifestFile);

  // Everything that can fail is decided before the target is touched.
  const files = listFiles(fn.dir);
  const sources = planSources(fn, workspace, files);
  const leftOut = [...sources.leftOut];
  const buildOptions = await resolvedEsbuildOptions(fn);
  const buildArgs = esbuildArgs(
    fn,
    buildOptions,
    posix.join(toPosix(relative(fn.dir, fn.distDir)), METAFILE_NAME),
  );
  const buildCommand = esbuildCommand(buildArgs);
  const bases = discoverBaseImages(workspace.root);
  const dockerfiles = STRATEGIES.map((strategy) => `Dockerfile.${strategy}`)
    .filter((file) => existsSync(join(fn.dir, file)))
    .map((file) => ({
      file,
      rendered: renderDockerfile(join(fn.dir, file), bases, {
        root: workspace.root,
        display: relative(workspace.root, join(fn.dir, file)),
        imageTag: `${name}:${file.slice("Dockerfile.".length)}`,
      }),
    }));

  // Dependencies: catalog specs pinned, the workspace's tools replaced, other workspace packages refused.
  const pinned: { name: string; spec: string; version: string }[] = [];
  const replaced = new Map<string, string>();
  const basePackages = new Map<string, BaseImageDefinition>(bases.map((base) => [base.packageName, base]));
  const pin = (dep: string, spec: string, field: string) => {
    const version = resolveSpec(workspace, dep, spec, `${where} ${field}`);
    if (version !== spec) pinned.push({ name: dep, spec, version });
    return version;
  };
  const dependencyFields = [
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
  ] as const;
  const out: Record<string, Record<string, string>> = {};
  for (const field of dependencyFields) {
    const deps = manifest[field];
    if (deps === undefined) continue;
    out[field] = {};
    for (const [dep, spec] of Object.entries(deps)) {
      const pkg = workspace.packages.get(dep);
      if (pkg === undefined && !spec.startsWith("workspace:")) {
        out[field][dep] = pin(dep, spec, field);
        continue;
      }
      if (field === "dependencies" || field === "optionalDependencies") {
        throw new ExportError(
          `${where}: ${field}.${dep} is "${spec}", a package of this workspace the function needs at run time. ` +
            "Publish it to a registry and depend on its version, or move its code into the function, then export again.",
        );
      }
      const base = basePackages.get(dep);
      const by =
        REPLACED_PACKAGES[dep] ??
        (base !== undefined
          ? `built inline by the Dockerfiles that start from ${base.reference}`
          : sources.leftOut.some((file) => file.reason.includes(dep))
            ? "nothing: the files that import it are left out"
            : "nothing: no file of the function imports it");
      replaced.set(dep, by);
    }
  }
  out.devDependencies ??= {};
  const devDependencies = out.devDependencies;
  const addTool = (dep: string, spec: string | undefined, from: string) => {
    if (spec === undefined || devDependencies[dep] !== undefined || out.dependencies?.[dep] !== undefined)
      return;
    devDependencies[dep] = pin(dep, spec, `(${from})`);
  };
  const buildPackage = workspace.packages.get("@lambda-images/build");
  addTool("esbuild", buildPackage?.manifest.dependencies?.esbuild, "@lambda-images/build's esbuild");
  const vitestConfig = workspace.packages.get("@lambda-images/vitest-config");
  if (vitestConfig !== undefined && sources.usedPackages.has(vitestConfig.name)) {
    for (const [dep, spec] of Object.entries(vitestConfig.manifest.peerDependencies ?? {})) {
      addTool(dep, spec, `${vitestConfig.name}'s peer dependency`);
    }
  }

  // Scripts: lambda-build's become the esbuild command, other workspace tools' are replaced or left out.
  const bins = workspaceBins(workspace);
  const scripts: Record<string, string> = {};
  const keptFiles = new Set([...files.filter((f) => !CODE.test(f)), ...sources.kept.keys()]);
  for (const [script, command] of Object.entries(manifest.scripts ?? {})) {
    const words = command.trim().split(/\s+/);
    const [first = ""] = words;
    if (command.trim() === "lambda-build") {
      scripts[script] = buildCommand;
    } else if (command.trim() === "lambda-build --watch") {
      scripts[script] = `${buildCommand} --watch`;
    } else if (bins.has(first)) {
      leftOut.push({
        what: `script "${script}" (${command})`,
        reason: `${first} is a tool of this workspace (${bins.get(first)})${first === "lambda-image" ? "; the image:<strategy> scripts build the images" : ""}`,
      });
    } else if (words.some((word) => files.includes(word) && !keptFiles.has(word))) {
      leftOut.push({ what: `script "${script}" (${command})`, reason: "it runs a file that is left out" });
    } else {
      scripts[script] = command;
    }
  }
  if (scripts.test !== undefined && scripts.pretest === undefined && scripts.build !== undefined) {
    // The tests import the built bundle; in the workspace, Turborepo builds before it tests.
    scripts.pretest = "npm run build";
  }
  for (const { file } of dockerfiles) {
    const strategy = file.slice("Dockerfile.".length);
    scripts[`image:${strategy}`] = `npm run build && docker build -f ${file} -t ${name}:${strategy} .`;
  }

  const standalone: PackageManifest = {
    name,
    version: manifest.version,
    private: true,
    ...(manifest.description === undefined ? {} : { description: manifest.description }),
    type: manifest.type,
    scripts,
    lambda: manifest.lambda,
    ...Object.fromEntries(
      dependencyFields
        .filter((field) => out[field] !== undefined)
        .map((field) => [field, sorted(out[field] ?? {})]),
    ),
  };

  // Write. Nothing above touched the target.
  prepareTarget(target, workspace.root, options.force === true);
  const written: string[] = [];
  const write = (file: string, content: string | Buffer) => {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    writeFileSync(join(target, file), content);
    written.push(file);
  };
  const copy = (from: string, file: string) => {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(from, join(target, file));
    written.push(file);
  };

  for (const file of files) {
    if (sources.kept.has(file)) {
      write(file, sources.kept.get(file) ?? "");
    } else if (CODE.test(file) || RENDERED.has(file) || /^Dockerfile\./.test(file)) {
      // written below, or left out (see sources.leftOut)
    } else if (file in WORKSPACE_ONLY_FILES) {
      leftOut.push({ what: file, reason: WORKSPACE_ONLY_FILES[file] ?? "" });
    } else {
      copy(join(fn.dir, file), file);
    }
  }
  if (vitestConfig !== undefined && sources.usedPackages.has(vitestConfig.name)) {
    const patterns = (vitestConfig.manifest.files ?? ["*.js", "*.d.ts"]).map(
      (glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*")}$`),
    );
    for (const entry of readdirSync(vitestConfig.dir)) {
      if (patterns.some((pattern) => pattern.test(entry))) {
        copy(join(vitestConfig.dir, entry), posix.join(SUPPORT_DIR, entry));
      }
    }
  }
  write("tsconfig.json", `${JSON.stringify(inlineTsconfig(fn, workspace), null, 2)}\n`);
  write("package.json", `${JSON.stringify(standalone, null, 2)}\n`);

  const baseFiles = new Map<string, string>();
  for (const { file, rendered } of dockerfiles) {
    write(file, rendered.text);
    for (const copied of rendered.files) baseFiles.set(copied.to, copied.from);
  }
  for (const [file, from] of baseFiles) copy(from, file);
  const dockerIgnore = join(fn.dir, ".dockerignore");
  if (existsSync(dockerIgnore)) {
    const extra = [...baseFiles.keys()].sort().map((file) => `!${file}`);
    const text = readFileSync(dockerIgnore, "utf8").replace(/\n*$/, "\n");
    write(
      ".dockerignore",
      extra.length === 0
        ? text
        : `${text}# The files the inline base image stages copy.\n${extra.join("\n")}\n`,
    );
  }
  if (!existsSync(join(fn.dir, ".gitignore"))) write(".gitignore", "node_modules/\ndist/\n");
  const hasAbout = existsSync(join(fn.dir, "README.md"));
  if (hasAbout) copy(join(fn.dir, "README.md"), ABOUT_FILE);

  const report: ExportReport = {
    target,
    name,
    files: [],
    pinned: pinned.sort((a, b) => a.name.localeCompare(b.name)),
    replaced: [...replaced].map(([dep, by]) => ({ name: dep, by })),
    leftOut,
    buildCommand,
    dockerfiles: dockerfiles.map(({ file, rendered }) => ({ file, base: rendered.base?.reference })),
  };
  write("README.md", renderReadme(fn, standalone, report, { about: hasAbout ? ABOUT_FILE : undefined }));
  return { ...report, files: written.sort() };
}
