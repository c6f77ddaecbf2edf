/**
 * Reads the shell commands out of the docs' fenced ```sh / ```bash blocks, and checks what a command names without
 * running it: root scripts, workspace packages and their scripts and bins, and paths in the repository.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";

/** One command as documented: the doc it is in (relative to the root), its line, and its text. */
export interface DocCommand {
  readonly doc: string;
  readonly line: number;
  readonly text: string;
}

/** Every command in the fenced sh/bash/shell blocks of one markdown text, split at `&&`, `||`, `;` and `|`. */
export function extractCommands(markdown: string, doc: string): DocCommand[] {
  const commands: DocCommand[] = [];
  const lines = markdown.split("\n");
  let inBlock = false;
  let shell = false;
  let pending = "";
  let pendingLine = 0;
  lines.forEach((raw, index) => {
    const fence = /^\s*(```+|~~~+)\s*([\w-]*)/.exec(raw);
    if (fence) {
      if (!inBlock) {
        inBlock = true;
        shell = ["sh", "bash", "shell", "console"].includes(fence[2] ?? "");
      } else {
        inBlock = false;
        shell = false;
      }
      return;
    }
    if (!inBlock || !shell) return;
    const line = raw.trim();
    if (pending === "") pendingLine = index + 1;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = (pending + line).trim();
    pending = "";
    for (const part of splitCommands(stripComment(full)))
      commands.push({ doc, line: pendingLine, text: part });
  });
  return commands;
}

/** The line without its `# comment` (a `#` at the start or after a space, outside quotes). */
export function stripComment(line: string): string {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === "#" && (i === 0 || /\s/.test(line[i - 1] ?? ""))) {
      return line.slice(0, i).trimEnd();
    }
  }
  return line.trim();
}

/** The commands of one line: split at `&&`, `||`, `;` and `|` outside quotes; empty ones dropped. */
export function splitCommands(line: string): string[] {
  const parts: string[] = [];
  let quote = "";
  let current = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? "";
    if (quote) {
      if (c === quote) quote = "";
      current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      current += c;
    } else if (c === ";" || c === "|" || (c === "&" && line[i + 1] === "&")) {
      parts.push(current);
      current = "";
      if (line[i + 1] === c) i++;
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== "");
}

/** The words of a command, quotes removed (no expansion). */
export function words(command: string): string[] {
  const out: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let match = pattern.exec(command); match; match = pattern.exec(command)) {
    out.push(match[1] ?? match[2] ?? match[3] ?? "");
  }
  return out;
}

interface PackageInfo {
  readonly name: string;
  readonly dir: string;
  readonly scripts: Record<string, string>;
  readonly bins: Record<string, string>;
}

/** What the workspace holds: the root's scripts and bins, and every package in pnpm-workspace.yaml. */
export interface Workspace {
  readonly root: string;
  readonly rootPackage: PackageInfo;
  readonly packages: ReadonlyMap<string, PackageInfo>;
}

function readPackage(dir: string): PackageInfo {
  const json = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    name: string;
    scripts?: Record<string, string>;
    bin?: string | Record<string, string>;
  };
  const bins =
    typeof json.bin === "string" ? { [json.name.replace(/^@[^/]+\//, "")]: json.bin } : (json.bin ?? {});
  return { name: json.name, dir, scripts: json.scripts ?? {}, bins };
}

/** The packages pnpm-workspace.yaml's `packages:` globs name (`dir/*` or a plain folder). */
export function readWorkspace(root: string): Workspace {
  const yaml = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  const block = /^packages:\n((?:\s+-\s+.*\n)+)/m.exec(yaml)?.[1] ?? "";
  const packages = new Map<string, PackageInfo>();
  for (const glob of block.split("\n").map((line) => line.replace(/^\s*-\s*/, "").trim())) {
    if (glob === "") continue;
    const dirs = glob.endsWith("/*")
      ? readdirSync(join(root, glob.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(root, glob.slice(0, -2), entry.name))
      : [join(root, glob)];
    for (const dir of dirs) {
      if (!existsSync(join(dir, "package.json"))) continue;
      const info = readPackage(dir);
      packages.set(info.name, info);
    }
  }
  return { root, rootPackage: readPackage(root), packages };
}

/** pnpm's own commands that take no script name (`pnpm install`, `pnpm exec ...`). */
const PNPM_BUILTINS = new Set([
  "install",
  "i",
  "add",
  "remove",
  "update",
  "rebuild",
  "dlx",
  "why",
  "list",
  "store",
]);

/** The first-level folders a repository path in a command starts with (anything else is not taken as a path). */
const PATH_PREFIXES =
  /^(\.\/)?(\.ci|\.github|docs|functions|images|infra|tools|turbo|scripts|events|src|bin|bench)\//;

function hasBin(dir: string, bin: string): boolean {
  return existsSync(join(dir, "node_modules", ".bin", bin));
}

/**
 * What is wrong with a command without running it: each message names the script, package, bin or path that does
 * not exist. `cwd` is where the command runs (the root, unless the doc says otherwise).
 */
export function problems(command: DocCommand, ws: Workspace): string[] {
  const out: string[] = [];
  const all = words(command.text);
  let index = 0;
  while (index < all.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(all[index] ?? "")) index++;
  const argv = all.slice(index);
  const docDir = dirname(join(ws.root, command.doc));
  const pathBases = [ws.root, docDir];
  const [head, ...rest] = argv;
  const workspaceBins = new Set([...ws.packages.values()].flatMap((pkg) => Object.keys(pkg.bins)));

  if (head === "pnpm") {
    let filter: PackageInfo | undefined;
    let i = 0;
    while (rest[i]?.startsWith("-")) {
      const option = rest[i];
      if (option === "--filter" || option === "-F") {
        const name = rest[i + 1] ?? "";
        filter = ws.packages.get(name);
        if (!filter) out.push(`no workspace package "${name}" (--filter)`);
        i += 2;
      } else {
        i++;
      }
    }
    const sub = rest[i];
    const args = rest.slice(i + 1);
    const target = filter ?? ws.rootPackage;
    const where = filter ? `package ${filter.name}` : "the root package.json";
    if (filter) pathBases.push(filter.dir);
    if (sub === undefined) {
      out.push("pnpm without a command");
    } else if (sub === "exec") {
      const bin = args[0] ?? "";
      const found =
        hasBin(target.dir, bin) ||
        hasBin(ws.root, bin) ||
        bin === "node" ||
        (filter === undefined && bin === "pnpm");
      if (!found)
        out.push(`no bin "${bin}" for pnpm exec in ${where} (pnpm would say: Command "${bin}" not found)`);
    } else if (sub === "run") {
      const script = args[0] ?? "";
      if (!(script in target.scripts)) out.push(`no script "${script}" in ${where}`);
    } else if (sub === "turbo") {
      if (!hasBin(ws.root, "turbo")) out.push("turbo is not installed at the root");
      if (args[0] === "run" || args[0] === "gen") {
        if (args[0] === "run") {
          for (const task of args.slice(1)) {
            if (task.startsWith("-")) break;
            const known = [...ws.packages.values()].some((pkg) => task in pkg.scripts);
            if (!known) out.push(`turbo run ${task}: no workspace package has a "${task}" script`);
          }
        }
      }
    } else if (!PNPM_BUILTINS.has(sub)) {
      const isScript = sub in target.scripts;
      const isBin = filter === undefined && hasBin(ws.root, sub);
      if (!isScript && !isBin)
        out.push(`no script "${sub}" in ${where} (pnpm would say: Command "${sub}" not found)`);
    }
    // `pnpm invoke <fn> --event <file>`: a relative event file may also be in the function's folder.
    if (sub === "invoke" && args[0] && !args[0].startsWith("-")) {
      pathBases.push(join(ws.root, "functions", args[0]));
    }
  } else if (head !== undefined && workspaceBins.has(head)) {
    // A workspace bin run as the doc's package's scripts would (from that package's folder): it must be declared.
  } else if (head !== undefined && /^lambda-/.test(head)) {
    out.push(`no workspace package declares a bin "${head}"`);
  } else if (head === "bash" || head === "sh" || head === "source" || head === ".") {
    const script = rest.find((word) => !word.startsWith("-"));
    if (script && !pathBases.some((base) => existsSync(resolve(base, script)))) out.push(`no file ${script}`);
  }

  for (const word of argv) {
    const path = word.replace(/^@/, "").replace(/^--?[\w-]+=/, "");
    if (!PATH_PREFIXES.test(path) || /[<>[\]*{}$]/.test(path)) continue;
    if (!pathBases.some((base) => existsSync(resolve(base, path)))) {
      out.push(
        `no path ${path} (looked in ${pathBases.map((base) => relative(ws.root, base) || ".").join(", ")})`,
      );
    }
  }
  return out;
}

/** Absolute paths outside the repository cited in a doc's text (`/work/...`, `/home/...`): a reader has none. */
export function outsidePaths(markdown: string, root: string): string[] {
  const found: string[] = [];
  for (const match of markdown.matchAll(/`(\/(?:work|home|root|Users|mnt|srv|opt\/[^`/]+)\/[^`\s]*)`/g)) {
    const path = match[1] ?? "";
    if (isAbsolute(path) && relative(root, path).startsWith("..")) found.push(path);
  }
  return found;
}

/** Relative markdown links (`[text](path)`) whose target does not exist. */
export function brokenLinks(markdown: string, doc: string, root: string): string[] {
  const broken: string[] = [];
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "");
  for (const match of withoutCode.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = (match[1] ?? "").split("#")[0] ?? "";
    if (target === "" || /^[a-z]+:/i.test(target)) continue;
    if (!existsSync(resolve(dirname(join(root, doc)), target))) broken.push(target);
  }
  return broken;
}

/** README.md, docs/*.md and the README.md of every workspace package (and turbo/generators), relative to root. */
export function docFiles(ws: Workspace): string[] {
  const docs = ["README.md"];
  const docsDir = join(ws.root, "docs");
  if (existsSync(docsDir)) {
    for (const name of readdirSync(docsDir).sort()) if (name.endsWith(".md")) docs.push(`docs/${name}`);
  }
  const dirs = [...[...ws.packages.values()].map((pkg) => pkg.dir), join(ws.root, "turbo", "generators")];
  for (const dir of dirs.sort()) {
    if (existsSync(join(dir, "README.md"))) docs.push(relative(ws.root, join(dir, "README.md")));
  }
  return docs;
}

/** `pnpm` commands quoted inline in a doc's prose (`` `pnpm --filter x exec y` ``), line breaks as spaces. */
export function inlineCommands(markdown: string, doc: string): DocCommand[] {
  const commands: DocCommand[] = [];
  const withoutBlocks = markdown.replace(/```[\s\S]*?```/g, (block) => block.replace(/[^\n]/g, " "));
  for (const match of withoutBlocks.matchAll(/`(pnpm [^`]+)`/g)) {
    const line = withoutBlocks.slice(0, match.index).split("\n").length;
    if (/[<>]|\.\.\./.test(match[1] ?? "")) continue; // a pattern (`pnpm <script>`), not a command
    commands.push({ doc, line, text: (match[1] ?? "").replace(/\s+/g, " ").trim() });
  }
  return commands;
}
