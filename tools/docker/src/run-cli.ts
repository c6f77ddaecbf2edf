/** `lambda-image`: lints Dockerfiles and builds the images of the workspace's functions and shared bases. */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { findWorkspaceRoot } from "@lambda-images/function-config";
import { formatFinding } from "./lint/findings.js";
import { lintWorkspace } from "./lint/lint.js";

export interface CliIo {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

export const USAGE = `Usage: lambda-image <command> [options]

Commands:
  lint [--json]                      Lint every Dockerfile the workspace ships (functions/*/Dockerfile.<strategy>,
                                     images/*/Dockerfile) with the project's rules and dockerfilelint.
  help                               Show this text.
`;

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

async function lintCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { json: { type: "boolean" } }, strict: true });
  const root = findWorkspaceRoot(io.cwd);
  const { targets, findings } = lintWorkspace(root);
  if (values.json) {
    io.out(JSON.stringify({ files: targets.map((t) => t.dockerfile), findings }, null, 2));
  } else {
    for (const finding of findings) io.err(formatFinding(finding, root));
    io.out(
      findings.length === 0
        ? `lambda-image lint: ${targets.length} Dockerfiles, no findings.`
        : `lambda-image lint: ${findings.length} finding(s) in ${new Set(findings.map((f) => f.file)).size} of ${targets.length} Dockerfiles.`,
    );
  }
  return findings.length === 0 ? 0 : 1;
}

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  lint: lintCommand,
};

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`Unknown command "${name}".`);
    return await command(args, { ...io, cwd: resolve(io.cwd) });
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.err(`lambda-image: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`lambda-image ${name}: ${(error as Error).message}`);
    return 1;
  }
}
