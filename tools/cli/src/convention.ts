/**
 * The one convention every command line of the project follows: options parsed with node:util `parseArgs`, output
 * on stdout, every message about a problem on stderr, and exit status 0 (done), 1 (it failed: the message says
 * why) or 2 (the command line was wrong: one line, and a hint to --help).
 */

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A wrong command line: reported as one line plus a hint to --help, exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A UsageError, or one of `parseArgs`' own errors (an unknown option, a missing value, an unexpected argument). */
export function isUsageError(error: unknown): error is Error {
  if (error instanceof UsageError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

export interface ReportOptions {
  /** Also print the stack of an unexpected error (not of a usage error). */
  readonly stack?: boolean;
  /** Wraps the "<tool>:" prefix, e.g. in red on a terminal. */
  readonly highlight?: (text: string) => string;
  /** The help command the hint names (default "<tool> --help"; `pnpm event --help` where users type that). */
  readonly helpCommand?: string;
}

/**
 * Prints the error that ends a command to `write` (stderr) and returns its exit status: "<tool>: <message>" and
 * "Run <tool> --help for usage." for a usage error (2), "<tool>: <message>" for anything else (1).
 */
export function reportError(
  tool: string,
  error: unknown,
  write: (text: string) => void,
  options: ReportOptions = {},
): number {
  const prefix = (options.highlight ?? ((text: string) => text))(`${tool}:`);
  const message = error instanceof Error ? error.message : String(error);
  if (isUsageError(error)) {
    write(`${prefix} ${message}\nRun ${options.helpCommand ?? `${tool} --help`} for usage.\n`);
    return EXIT_USAGE;
  }
  write(`${prefix} ${message}\n`);
  if (options.stack && error instanceof Error && error.stack) write(`${error.stack}\n`);
  return EXIT_FAILURE;
}
