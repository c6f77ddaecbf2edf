import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { reportError, UsageError } from "@lambda-images/cli";
import { FunctionConfigError, loadFunction } from "@lambda-images/function-config";
import { type BuildOutcome, buildFunction, watchFunction } from "./build.js";
import { BuildError } from "./errors.js";
import { formatReport } from "./report.js";

export const USAGE = `Usage: lambda-build [--dir <path>] [--watch]

Bundles a function (the "lambda" block of its package.json) with esbuild into dist/index.mjs, with
dist/index.mjs.map and dist/meta.json, checks that the configured handler export is a function, and prints
the bundle's size and its largest inputs.

Options:
  --dir <path>  the function folder (default: the current folder)
  --watch       build, then rebuild on every change until interrupted (Ctrl-C)
  --help        print this help`;

const VALID_OPTIONS = "--dir <path>, --watch, --help";

export interface CliArgs {
  readonly dir: string | undefined;
  readonly watch: boolean;
  readonly help: boolean;
}

/** Parses the command line, refusing anything it does not know with a message that lists what it does. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const { tokens } = parseArgs({
    args: [...argv],
    options: {
      dir: { type: "string" },
      watch: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  let dir: string | undefined;
  let watch = false;
  let help = false;
  for (const token of tokens) {
    if (token.kind === "positional") {
      throw new UsageError(`Unexpected argument "${token.value}". Valid options: ${VALID_OPTIONS}.`);
    }
    if (token.kind !== "option") continue;
    switch (token.name) {
      case "dir":
        if (token.value === undefined || token.value === "") {
          throw new UsageError("--dir needs a folder, e.g. --dir functions/hello.");
        }
        dir = token.value;
        break;
      case "watch":
      case "help":
        if (token.value !== undefined) {
          throw new UsageError(`${token.rawName} takes no value. Valid options: ${VALID_OPTIONS}.`);
        }
        if (token.name === "watch") watch = true;
        else help = true;
        break;
      default:
        throw new UsageError(`Unknown option "${token.rawName}". Valid options: ${VALID_OPTIONS}.`);
    }
  }
  return { dir, watch, help };
}

export interface CliIo {
  readonly cwd: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Resolves when the user asks watch mode to stop (SIGINT/SIGTERM in the real CLI). */
  readonly waitForStop: () => Promise<void>;
}

function printOutcome(io: CliIo, dir: string, outcome: BuildOutcome): void {
  if (outcome.ok) io.out(formatReport(outcome.report, { dir }));
  else io.err(outcome.error.message);
}

/** Runs lambda-build and returns the exit code: 0 built, 1 the build failed, 2 the command line is wrong. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseCliArgs(argv);
    if (args.help) {
      io.out(USAGE);
      return 0;
    }
    const fn = loadFunction(resolve(io.cwd, args.dir ?? "."));
    if (!args.watch) {
      printOutcome(io, fn.dir, { ok: true, report: await buildFunction(fn) });
      return 0;
    }
    const watcher = await watchFunction(fn, (outcome) => printOutcome(io, fn.dir, outcome));
    io.out(`${fn.name}: watching for changes (Ctrl-C to stop)`);
    await io.waitForStop();
    await watcher.dispose();
    return 0;
  } catch (error) {
    // A build or config error explains itself; anything else is a bug, printed with its stack.
    const expected = error instanceof BuildError || error instanceof FunctionConfigError;
    return reportError("lambda-build", error, (text) => io.err(text.trimEnd()), { stack: !expected });
  }
}
