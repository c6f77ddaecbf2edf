/**
 * `lambda-local invoke <function>`: one invoke through the engine, no servers. The result payload goes to stdout
 * (so it can be piped), the function's logs and the REPORT line to stderr.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { type FunctionDefinition, findFunction } from "@lambda-images/function-config";
import type { InvokeCommand } from "./args.js";
import { type CliEnvironment, CliError, requireBuilds } from "./environment.js";

/** Where a relative `--event` path is looked for, in order. */
function eventCandidates(file: string, fn: FunctionDefinition, env: CliEnvironment): string[] {
  if (isAbsolute(file)) return [file];
  const folders = [env.cwd, fn.dir, env.workspaceRoot];
  return [...new Set(folders.map((folder) => resolve(folder, file)))];
}

/** " Events of hello: functions/hello/events/a.json." (or nothing), to follow a "not found". */
function eventFilesOf(fn: FunctionDefinition, workspaceRoot: string): string {
  const folder = join(fn.dir, "events");
  if (!existsSync(folder)) return "";
  const files = readdirSync(folder).filter((name) => name.endsWith(".json"));
  if (files.length === 0) return "";
  return ` Events of ${fn.name}: ${files.map((name) => relative(workspaceRoot, join(folder, name))).join(", ")}.`;
}

async function readEvent(
  command: InvokeCommand,
  fn: FunctionDefinition,
  env: CliEnvironment,
): Promise<Buffer> {
  if (command.event === undefined) return Buffer.from("{}");
  let text: Buffer;
  let source: string;
  if (command.event === "-") {
    source = "stdin";
    const chunks: Buffer[] = [];
    for await (const chunk of env.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
    text = Buffer.concat(chunks);
  } else {
    const candidates = eventCandidates(command.event, fn, env);
    const found = candidates.find((candidate) => existsSync(candidate));
    if (found === undefined) {
      throw new CliError(
        `Event file "${command.event}" not found (looked in ${candidates.join(", ")}).` +
          eventFilesOf(fn, env.workspaceRoot),
      );
    }
    source = found;
    text = readFileSync(found);
  }
  if (text.length === 0) return Buffer.from("{}");
  try {
    JSON.parse(text.toString("utf8"));
  } catch (error) {
    throw new CliError(`The event from ${source} is not JSON: ${(error as Error).message}`);
  }
  return text;
}

/** Runs the invoke and returns the exit code: 0, or 1 when the function failed. */
export async function runInvoke(command: InvokeCommand, env: CliEnvironment): Promise<number> {
  let fn: FunctionDefinition;
  try {
    fn = findFunction(command.functionName, env.workspaceRoot);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  if (command.runner !== "container") requireBuilds([fn], env.workspaceRoot);
  const payload = await readEvent(command, fn, env);

  const logged = new Set<string>();
  const host = env.createHost(fn, {
    runner: command.runner,
    ...(command.strategy === undefined ? {} : { strategy: command.strategy }),
    maxInstances: 1,
    logSink: (line) => {
      logged.add(line.trimEnd());
      env.stderr.write(line.endsWith("\n") ? line : `${line}\n`);
    },
  });
  try {
    const outcome = await host.invoke({ payload });
    if (outcome.kind === "throttled") throw new CliError(`The invoke was throttled: ${outcome.message}`);
    env.stdout.write(`${outcome.payload.toString("utf8")}\n`);
    const report = outcome.report.reportLine.trimEnd();
    if (![...logged].some((line) => line.endsWith(report))) env.stderr.write(`${report}\n`);
    if (outcome.functionError !== undefined) {
      env.stderr.write(`${fn.name} failed: ${outcome.errorType ?? outcome.functionError}\n`);
      return 1;
    }
    return 0;
  } finally {
    await host.close();
  }
}
