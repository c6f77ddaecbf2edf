/**
 * Command-line parsing for `lambda-local`. Pure: argv in, a command (or a usage error that says what to type)
 * out.
 */

import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "@lambda-images/cli";
import { STRATEGIES, type Strategy } from "@lambda-images/function-config";
import type { RunnerKind } from "../contract.js";
import {
  DEFAULT_BIND_ADDRESS,
  DEFAULT_FUNCTION_URL_PORT,
  DEFAULT_HTTP_PORT,
  DEFAULT_INVOKE_PORT,
} from "../stack.js";

/** The first port `--inspect` gives a runtime (node's own default); each further instance gets the next. */
const DEFAULT_INSPECT_PORT = 9229;

/** `--inspect`: whose runtimes listen for a debugger, and from which port up. */
export interface InspectOption {
  /** A function name, or undefined for every function. */
  readonly functionName: string | undefined;
  /** The first port (0: node picks one per instance). */
  readonly basePort: number;
}

const RUNNERS: readonly RunnerKind[] = ["ric", "fallback", "container"];
const DEFAULT_RUNNER: RunnerKind = "ric";

export const USAGE = `Usage:
  lambda-local dev [options]         Serve every function in the workspace, rebuilding on change
  lambda-local invoke <function> [--event FILE|-] [--build] [--runtime ric|fallback|container] [--strategy S]
                                     Invoke one function once; print its result and REPORT line
  lambda-local invoke <function> --replay-dead-letters [--runtime ...]
                                     Run the function's dead-lettered Event invocations again, as new Event invokes
  lambda-local emulate [--port 8080] [--] [BOOTSTRAP [ARGS...]]
                                     Inside an image: answer POST /2015-03-31/functions/function/invocations on
                                     0.0.0.0:8080 with BOOTSTRAP as the runtime (a drop-in for aws-lambda-rie)

dev options:
  --port N                Invoke API port (default ${DEFAULT_INVOKE_PORT})
  --http-port N           HTTP API gateway port (default ${DEFAULT_HTTP_PORT})
  --url-port N            First Function URL port, one per function with "functionUrl" (default ${DEFAULT_FUNCTION_URL_PORT})
  --host ADDRESS          Address to listen on (default ${DEFAULT_BIND_ADDRESS}; 0.0.0.0 for every interface)
  --runtime KIND          ric (the real Runtime Interface Client, default), fallback (a pure-JS runtime client)
                          or container (the function's image, needs Docker); --runner is the same option
  --strategy S            With --runtime container: run the aws-base, os-only or non-aws image (default: each
                          function's "strategy"); build it first with pnpm image
  --max-instances N       Warm instances per function (default 4)
  --default-function NAME The function behind /2015-03-31/functions/function/invocations (default: the first by name)
  --no-watch              Serve the existing builds; do not rebuild on change
  --inspect[=FUNCTION]    Start every function's (or FUNCTION's) runtime with node --inspect on 127.0.0.1, one port
                          per instance from ${DEFAULT_INSPECT_PORT} up, each printed as it starts; its timeout is lifted
  --inspect-port N        The first debugger port (default ${DEFAULT_INSPECT_PORT}; 0 lets node pick)

invoke options:
  --event FILE            The event JSON (default {}); "-" reads it from stdin. A relative FILE is looked up in
                          the current folder, then the function's folder, then the workspace root.
  --build                 Build the function from its source first (pnpm invoke does); the build's output
                          goes to stderr, so stdout is only the function's result
  --inspect               Start the runtime with node --inspect on 127.0.0.1:${DEFAULT_INSPECT_PORT} (printed), timeout lifted;
                          attach a debugger (.vscode/launch.json) and it stops at your breakpoints
  --inspect-port N        The debugger port (default ${DEFAULT_INSPECT_PORT}; 0 lets node pick)
  --replay-dead-letters   Re-submit every event in .local/dead-letters/<function>.jsonl through the Event queue
                          (retries, dead letters again if it still fails); each leaves the file once accepted

Environment:
  LAMBDA_LOCAL_ASYNC_RETRY_DELAY_MS
                          Wait before the first retry of a failed Event invoke, in ms (default 1000; the second
                          retry waits twice as long). Lambda waits about a minute: 60000 to match it
`;

/** A mistyped command: the CLI prints the message (one line) and a hint, not the whole usage, and exits 2. */
export interface DevCommand {
  readonly command: "dev";
  readonly invokePort: number;
  readonly httpPort: number;
  readonly functionUrlPort: number;
  readonly bindAddress: string;
  readonly runner: RunnerKind;
  /** The image the container runner runs (undefined: each function's strategy). */
  readonly strategy?: Strategy | undefined;
  readonly maxInstances: number | undefined;
  readonly defaultFunction: string | undefined;
  readonly watch: boolean;
  readonly inspect?: InspectOption | undefined;
}

export interface InvokeCommand {
  readonly command: "invoke";
  readonly functionName: string;
  /** A file path, "-" for stdin, or undefined for `{}`. */
  readonly event: string | undefined;
  readonly runner: RunnerKind;
  readonly strategy?: Strategy | undefined;
  /** Replay the function's dead-lettered Event invocations instead of one invoke. */
  readonly replayDeadLetters?: boolean;
  /** Build the function from its source before invoking it. */
  readonly build?: boolean;
  readonly inspect?: InspectOption | undefined;
}

export type Command = DevCommand | InvokeCommand | { readonly command: "help" };

function integer(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${value}".`);
  }
  return parsed;
}

/** `--runtime` (or its alias `--runner`, the word the engine's messages use). */
function runner(values: { runtime?: string | undefined; runner?: string | undefined }): RunnerKind {
  if (values.runtime !== undefined && values.runner !== undefined && values.runtime !== values.runner) {
    throw new UsageError(
      `--runtime ${values.runtime} and --runner ${values.runner} disagree: give one of them.`,
    );
  }
  const value = values.runtime ?? values.runner;
  if (value === undefined) return DEFAULT_RUNNER;
  const found = RUNNERS.find((kind) => kind === value);
  if (!found) throw new UsageError(`--runtime must be one of ${RUNNERS.join(", ")}, not "${value}".`);
  return found;
}

/** `--strategy`: only meaningful for the container runner, which runs that image. */
function strategy(value: string | undefined, kind: RunnerKind): Strategy | undefined {
  if (value === undefined) return undefined;
  const found = STRATEGIES.find((name) => name === value);
  if (!found) throw new UsageError(`--strategy must be one of ${STRATEGIES.join(", ")}, not "${value}".`);
  if (kind !== "container") {
    throw new UsageError(
      `--strategy ${value} picks the image the container runtime runs: add --runtime container.`,
    );
  }
  return found;
}

/** `--inspect` alone means every function: parseArgs wants a value for a string option, so give it "". */
function withInspectValue(args: readonly string[]): string[] {
  return args.map((arg) => (arg === "--inspect" ? "--inspect=" : arg));
}

function inspectOption(
  value: string | undefined,
  port: string | undefined,
  runnerKind: RunnerKind,
): InspectOption | undefined {
  if (value === undefined) {
    if (port !== undefined) throw new UsageError("--inspect-port is the port of --inspect: add --inspect.");
    return undefined;
  }
  if (runnerKind === "container") {
    throw new UsageError(
      "--inspect runs the function's runtime on this machine: use --runtime ric or fallback.",
    );
  }
  return {
    functionName: value === "" ? undefined : value,
    basePort: integer(port, "--inspect-port", 0, 65535) ?? DEFAULT_INSPECT_PORT,
  };
}

function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function parseCommand(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") return { command: "help" };
  // `dev --help`, `invoke hello -h`: the usage, whatever else was typed.
  if ((name === "dev" || name === "invoke") && rest.some((arg) => arg === "--help" || arg === "-h")) {
    return { command: "help" };
  }
  if (name === "dev") {
    const { values, positionals } = parse(withInspectValue(rest), {
      inspect: { type: "string" },
      "inspect-port": { type: "string" },
      port: { type: "string" },
      "http-port": { type: "string" },
      "url-port": { type: "string" },
      host: { type: "string" },
      runtime: { type: "string" },
      runner: { type: "string" },
      strategy: { type: "string" },
      "max-instances": { type: "string" },
      "default-function": { type: "string" },
      "no-watch": { type: "boolean" },
    });
    if (positionals.length > 0)
      throw new UsageError(`dev takes no arguments, got "${positionals.join(" ")}".`);
    return {
      command: "dev",
      invokePort: integer(values.port, "--port", 0, 65535) ?? DEFAULT_INVOKE_PORT,
      httpPort: integer(values["http-port"], "--http-port", 0, 65535) ?? DEFAULT_HTTP_PORT,
      functionUrlPort: integer(values["url-port"], "--url-port", 0, 65535) ?? DEFAULT_FUNCTION_URL_PORT,
      bindAddress: values.host ?? DEFAULT_BIND_ADDRESS,
      runner: runner(values),
      strategy: strategy(values.strategy, runner(values)),
      maxInstances: integer(values["max-instances"], "--max-instances", 1, 64),
      defaultFunction: values["default-function"],
      watch: values["no-watch"] !== true,
      inspect: inspectOption(values.inspect, values["inspect-port"], runner(values)),
    };
  }
  if (name === "invoke") {
    const { values, positionals } = parse(withInspectValue(rest), {
      inspect: { type: "string" },
      "inspect-port": { type: "string" },
      event: { type: "string" },
      runtime: { type: "string" },
      runner: { type: "string" },
      strategy: { type: "string" },
      "replay-dead-letters": { type: "boolean" },
      build: { type: "boolean" },
    });
    const [functionName, ...extra] = positionals;
    if (functionName === undefined) {
      throw new UsageError("invoke needs the name of a function, e.g. lambda-local invoke hello.");
    }
    if (extra.length > 0)
      throw new UsageError(`invoke takes one function name, got "${positionals.join(" ")}".`);
    const replayDeadLetters = values["replay-dead-letters"] === true;
    // The function invoked is the one inspected: `--inspect` takes no function name here.
    const inspect = inspectOption(
      values.inspect === undefined ? undefined : "",
      values["inspect-port"],
      runner(values),
    );
    if (replayDeadLetters && values.event !== undefined) {
      throw new UsageError(
        "--replay-dead-letters sends the recorded events, so it takes no --event: give one or the other.",
      );
    }
    return {
      command: "invoke",
      functionName,
      event: values.event,
      runner: runner(values),
      strategy: strategy(values.strategy, runner(values)),
      ...(replayDeadLetters ? { replayDeadLetters } : {}),
      ...(values.build === true ? { build: true } : {}),
      ...(inspect === undefined ? {} : { inspect }),
    };
  }
  throw new UsageError(`Unknown command "${name}".`);
}
