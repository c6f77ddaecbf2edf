/**
 * What the workspace knows that a standalone copy must be told: the pnpm catalog's versions and which package
 * names are workspace packages (and where they live), both read from pnpm-workspace.yaml.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export interface WorkspacePackage {
  readonly name: string;
  /** Absolute path of its folder. */
  readonly dir: string;
  readonly manifest: PackageManifest;
}

/** The package.json fields the exporter reads or writes. */
export interface PackageManifest {
  name?: string;
  version?: string;
  private?: boolean;
  description?: string;
  type?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  files?: string[];
  lambda?: unknown;
  [field: string]: unknown;
}

export interface Workspace {
  readonly root: string;
  /** The default catalog: package name to version (`"catalog:"` in a package.json). */
  readonly catalog: ReadonlyMap<string, string>;
  /** Named catalogs (`"catalog:<name>"`). */
  readonly catalogs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly packages: ReadonlyMap<string, WorkspacePackage>;
}

export function readManifest(file: string): PackageManifest {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as PackageManifest;
  } catch (error) {
    throw new Error(`${file}: cannot be read as JSON (${(error as Error).message}).`);
  }
}

function stringMap(value: unknown, where: string): Map<string, string> {
  const map = new Map<string, string>();
  if (value === undefined || value === null) return map;
  if (typeof value !== "object") throw new Error(`${where} is not a map of package names to versions.`);
  for (const [name, version] of Object.entries(value)) map.set(name, String(version));
  return map;
}

/** The folders pnpm-workspace.yaml's `packages` globs name (the forms this workspace uses: `dir/*` and `dir`). */
function packageDirs(root: string, globs: readonly string[]): string[] {
  const dirs: string[] = [];
  for (const glob of globs) {
    if (glob.startsWith("!")) continue;
    if (glob.endsWith("/*")) {
      const parent = join(root, glob.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const entry of readdirSync(parent, { withFileTypes: true })) {
        if (entry.isDirectory()) dirs.push(join(parent, entry.name));
      }
    } else if (!/[*?{[]/.test(glob)) {
      dirs.push(join(root, glob));
    } else {
      throw new Error(
        `pnpm-workspace.yaml: the packages glob "${glob}" is not one lambda-export can expand.`,
      );
    }
  }
  return dirs.filter((dir) => existsSync(join(dir, "package.json")));
}

export function loadWorkspace(root: string): Workspace {
  const file = join(root, "pnpm-workspace.yaml");
  let config: { packages?: unknown; catalog?: unknown; catalogs?: unknown };
  try {
    config = (parse(readFileSync(file, "utf8")) ?? {}) as typeof config;
  } catch (error) {
    throw new Error(`${file}: cannot be read as YAML (${(error as Error).message}).`);
  }
  const catalogs = new Map<string, ReadonlyMap<string, string>>();
  for (const [name, entries] of Object.entries((config.catalogs ?? {}) as Record<string, unknown>)) {
    catalogs.set(name, stringMap(entries, `${file}: catalogs.${name}`));
  }
  const globs = Array.isArray(config.packages) ? config.packages.map(String) : [];
  const packages = new Map<string, WorkspacePackage>();
  for (const dir of packageDirs(root, globs)) {
    const manifest = readManifest(join(dir, "package.json"));
    if (typeof manifest.name === "string")
      packages.set(manifest.name, { name: manifest.name, dir, manifest });
  }
  return { root, catalog: stringMap(config.catalog, `${file}: catalog`), catalogs, packages };
}

/**
 * The version a dependency spec pins outside the workspace: `catalog:` and `catalog:<name>` from the catalog,
 * anything else as written. `workspace:` specs have no registry version; the caller decides what replaces them.
 */
export function resolveSpec(workspace: Workspace, name: string, spec: string, where: string): string {
  if (!spec.startsWith("catalog:")) return spec;
  const catalogName = spec.slice("catalog:".length);
  const catalog =
    catalogName === "" || catalogName === "default" ? workspace.catalog : workspace.catalogs.get(catalogName);
  const version = catalog?.get(name);
  if (version === undefined) {
    throw new Error(
      `${where}: ${name} is "${spec}" but pnpm-workspace.yaml's ${catalogName === "" ? "catalog" : `catalogs.${catalogName}`} has no ${name}. Add it there, or write a version.`,
    );
  }
  return version;
}

/** The workspace package a module specifier imports ("@lambda-images/vitest-config/lambda"), if any. */
export function workspacePackageOf(workspace: Workspace, specifier: string): WorkspacePackage | undefined {
  for (const pkg of workspace.packages.values()) {
    if (specifier === pkg.name || specifier.startsWith(`${pkg.name}/`)) return pkg;
  }
  return undefined;
}
