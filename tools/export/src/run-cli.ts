import { isAbsolute, resolve } from "node:path";
import { parseArgs } from "node:util";
import { reportError, UsageError } from "@lambda-images/cli";
import {
  FunctionConfigError,
  findFunction,
  findWorkspaceRoot,
  loadFunction,
} from "@lambda-images/function-config";
import { ExportError, type ExportReport, exportFunction } from "./export.js";

export const USAGE = `Usage: lambda-export <function> <folder> [--name <name>] [--force]
       pnpm export-function <function> <folder> [--name <name>] [--force]

Writes a standalone copy of a function to <folder> (outside this workspace), for a team that takes the function
into its own repository: a package.json with pinned versions and npm scripts (build: one esbuild command with
lambda-build's settings; test, typecheck, image:<strategy>), the tsconfig and the Vitest setup inlined, and
Dockerfiles that build their base image inline. Then, in <folder>: npm install && npm test.

Arguments:
  <function>     a function's name (hello) or its folder (functions/hello)
  <folder>       where to write; created when missing, refused when not empty (see --force)

Options:
  --name <name>  the copy's package and image name (default: the folder's name, else the function's)
  --force        write into a folder that is not empty, replacing its files (.git and node_modules are kept)
  --help         print this help`;

export interface CliArgs {
  readonly fn: string;
  readonly target: string;
  readonly name: string | undefined;
  readonly force: boolean;
}

export function parseCliArgs(argv: readonly string[]): CliArgs | "help" {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: [...argv],
      options: {
        name: { type: "string" },
        force: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
      strict: true,
    });
  }
  try {
    parsed = parse();
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0] ?? String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return "help";
  if (positionals.length !== 2) {
    throw new UsageError(
      positionals.length < 2
        ? "Name a function and a folder, e.g. lambda-export hello ../my-hello."
        : `Unexpected argument "${positionals[2]}": give one function and one folder.`,
    );
  }
  const [fn = "", target = ""] = positionals;
  if (values.name === "") throw new UsageError("--name needs a value, e.g. --name my-hello.");
  return { fn, target, name: values.name, force: values.force === true };
}

export interface CliIo {
  /** The folder relative paths are resolved from (the user's, also under pnpm: INIT_CWD). */
  readonly cwd: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export function formatSummary(report: ExportReport): string {
  const lines = [
    `${report.name}: a standalone copy in ${report.target} (${report.files.length} files)`,
    `  build: ${report.buildCommand}`,
    ...report.dockerfiles.map(
      ({ file, base }) =>
        `  ${file}: ${base === undefined ? "as in the workspace" : `builds ${base} inline`}`,
    ),
    `  pinned: ${report.pinned.map((p) => `${p.name}@${p.version}`).join(", ") || "nothing"}`,
    `  dropped: ${report.replaced.map((r) => r.name).join(", ") || "nothing"}`,
    ...report.leftOut.map(({ what, reason }) => `  left out: ${what}: ${reason}`),
    `Next: cd ${report.target} && npm install && npm test (README.md there says how to build images and deploy).`,
  ];
  return lines.join("\n");
}

/** Runs lambda-export: 0 written, 1 the export failed, 2 the command line is wrong. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseCliArgs(argv);
    if (args === "help") {
      io.out(USAGE);
      return 0;
    }
    const root = findWorkspaceRoot(io.cwd);
    const fn =
      args.fn.includes("/") || args.fn === "."
        ? loadFunction(isAbsolute(args.fn) ? args.fn : resolve(io.cwd, args.fn))
        : findFunction(args.fn, root);
    const report = await exportFunction(fn, {
      root,
      target: resolve(io.cwd, args.target),
      force: args.force,
      ...(args.name === undefined ? {} : { name: args.name }),
    });
    io.out(formatSummary(report));
    return 0;
  } catch (error) {
    const expected = error instanceof ExportError || error instanceof FunctionConfigError;
    return reportError("lambda-export", error, (text) => io.err(text.trimEnd()), { stack: !expected });
  }
}
