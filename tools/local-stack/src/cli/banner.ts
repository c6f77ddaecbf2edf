/** What `lambda-local dev` prints at start: its URLs, the default function, every route, commands to try. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { type Colours, PLAIN } from "@lambda-images/cli";
import type { FunctionDefinition } from "@lambda-images/function-config";
import type { LocalStack } from "../stack.js";
import type { DevCommand } from "./args.js";

interface ExampleEvent {
  readonly file: string;
  readonly event: { routeKey?: unknown; rawPath?: unknown; rawQueryString?: unknown };
}

/** The event the banner's examples send: the function's events/<name>.json, else its first event file. */
function exampleEvent(fn: FunctionDefinition): ExampleEvent | undefined {
  const folder = join(fn.dir, "events");
  if (!existsSync(folder)) return undefined;
  const files = readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .sort();
  const name = files.includes(`${fn.name}.json`) ? `${fn.name}.json` : files[0];
  if (name === undefined) return undefined;
  try {
    const event = JSON.parse(readFileSync(join(folder, name), "utf8"));
    return typeof event === "object" && event !== null ? { file: join(folder, name), event } : undefined;
  } catch {
    return undefined;
  }
}

/** The "Try:" commands: each one answers 2xx when pasted into a shell in `cwd`. */
function tryCommands(stack: LocalStack, functions: readonly FunctionDefinition[], cwd: string): string[] {
  const invocations = `${stack.invokeUrl}/2015-03-31/functions/function/invocations`;
  const defaultFn = functions.find((fn) => fn.name === stack.defaultFunction);
  const own = defaultFn && exampleEvent(defaultFn);
  const commands = [`curl "${invocations}" -d ${own ? `@${relative(cwd, own.file)}` : "'{}'"}`];
  // Through the HTTP API: a GET route with a recorded HTTP API event (its query string too), else a plain GET.
  const withEvents = [...(defaultFn ? [defaultFn] : []), ...functions.filter((fn) => fn !== defaultFn)];
  for (const fn of withEvents) {
    const { event } = (fn === defaultFn ? own : exampleEvent(fn)) ?? {};
    const route = stack.routes.find(
      (entry) =>
        entry.method === "GET" && entry.routeKey === event?.routeKey && entry.functionName === fn.name,
    );
    if (route && typeof event?.rawPath === "string") {
      const query =
        typeof event.rawQueryString === "string" && event.rawQueryString ? `?${event.rawQueryString}` : "";
      return [...commands, `curl "${stack.httpUrl}${event.rawPath}${query}"`];
    }
  }
  const plain = stack.routes.find((route) => route.method === "GET" && !route.path.includes("{"));
  return plain ? [...commands, `curl "${stack.httpUrl}${plain.path}"`] : commands;
}

/** The startup banner: URLs, the default function, every route, and commands to try (run from `cwd`). */
export function banner(
  stack: LocalStack,
  command: DevCommand,
  functions: readonly FunctionDefinition[],
  cwd: string,
  notBuilt: ReadonlyMap<string, string> = new Map(),
  configErrors: ReadonlyMap<string, string> = new Map(),
  colour: Colours = PLAIN,
): string {
  const width = Math.max(0, ...stack.routes.map((route) => route.routeKey.length));
  const routes = stack.routes.map((route) => `    ${route.routeKey.padEnd(width)}  -> ${route.functionName}`);
  const names = functions.map((fn) => fn.name).join(", ");
  return [
    `${colour.bold("lambda-local:")} ${functions.length} function${functions.length === 1 ? "" : "s"} (${names}), runtime ${command.runner}` +
      `${command.strategy === undefined ? "" : ` (${command.strategy} images)`}` +
      `${command.watch ? ", rebuilding on change" : ""}`,
    ...(command.runner === "container"
      ? [
          `  Images      ${command.strategy === undefined ? "each function's own strategy" : command.strategy}, as ` +
            "`pnpm image` recorded them in functions/<name>/.image/: run it again to run your changes",
        ]
      : []),
    "",
    `  Invoke API  ${colour.cyan(`${stack.invokeUrl}/2015-03-31/functions/{name}/invocations`)}`,
    `              ${colour.cyan(`${stack.invokeUrl}/2015-03-31/functions/function/invocations`)} -> ${stack.defaultFunction}`,
    ...(command.inspect === undefined
      ? []
      : [
          `  Debugger    ${command.inspect.functionName ?? "every function"}: node --inspect on 127.0.0.1, ` +
            `${command.inspect.basePort === 0 ? "ports node picks" : `port ${command.inspect.basePort} and up`}, one per ` +
            'instance, each printed as it starts; timeouts lifted. Attach: .vscode/launch.json "Attach to a function"',
        ]),
    `  HTTP API    ${colour.cyan(stack.httpUrl)}`,
    ...(routes.length > 0 ? routes : ['    (no routes: add "routes" to a function\'s lambda block)']),
    ...[...stack.functionUrls].map(([name, url]) => {
      const mode = functions.find((fn) => fn.name === name)?.functionUrl?.invokeMode ?? "BUFFERED";
      return `  Function URL ${colour.cyan(url)} -> ${name} (${mode})`;
    }),
    ...(notBuilt.size > 0
      ? [
          "",
          `  ${colour.yellow("Not built")}   ${command.watch ? "served as soon as it builds: fix it and save" : "invokes fail until it is built"}`,
          ...[...notBuilt].map(([name, error]) => `    ${name}: ${error}`),
        ]
      : []),
    ...(configErrors.size > 0
      ? [
          "",
          `  ${colour.yellow("Invalid config")}  not served${command.watch ? ': fix the "lambda" block and save' : ""}`,
          ...[...configErrors].map(([folder, error]) => `    functions/${folder}: ${error}`),
        ]
      : []),
    "",
    "  Try:",
    ...tryCommands(stack, functions, cwd).map((line) => `    ${line}`),
    "",
    "Press Ctrl+C to stop.",
    "",
  ].join("\n");
}
