/**
 * `lambda-local invoke <function>`: one invoke through the engine, no servers. The result payload goes to stdout
 * (so it can be piped), the function's logs and the REPORT line to stderr. With `--replay-dead-letters`, the
 * function's dead-lettered Event invocations go through an Event queue again instead.
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { BuildError, buildFunction } from "@lambda-images/build";
import { listenForStop } from "@lambda-images/cli";
import { type FunctionDefinition, findFunction } from "@lambda-images/function-config";
import type { FunctionHost } from "../contract.js";
import { InspectPorts } from "../engine/inspect.js";
import { DEAD_LETTER_DIR, DeadLetterStore, replayRequest } from "../front-doors/invoke-api/dead-letters.js";
import { EventQueue } from "../front-doors/invoke-api/event-queue.js";
import type { InvokeCommand } from "./args.js";
import { type CliEnvironment, CliError, requireBuilds, retryDelaySetting } from "./environment.js";

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

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/**
 * `--replay-dead-letters`: each recorded event is submitted to an Event queue of the function as a new Event invoke
 * (a new request ID; the record keeps the old one as `replayOf` if it fails again), and leaves the file once the
 * queue accepted it. Then the queue runs them, with the function's retries; what still fails is dead-lettered
 * again. Ctrl+C stops the queue the way stopping the stack does (what waits is written back, `stack-stopped`).
 * Exit code 0 when every replayed event succeeded, else 1.
 */
async function replayDeadLetters(
  fn: FunctionDefinition,
  host: FunctionHost,
  env: CliEnvironment,
): Promise<number> {
  const store = new DeadLetterStore(join(env.workspaceRoot, DEAD_LETTER_DIR));
  const file = relative(env.cwd, store.fileOf(fn.name)) || store.fileOf(fn.name);
  const { records, unreadable } = store.read(fn.name);
  if (unreadable.length > 0) {
    env.stderr.write(
      `${file}: line${unreadable.length === 1 ? "" : "s"} ${unreadable.join(", ")} ${unreadable.length === 1 ? "is" : "are"} not a dead-letter record and stay${unreadable.length === 1 ? "s" : ""} in the file.\n`,
    );
  }
  if (records.length === 0) {
    env.stdout.write(`No dead-lettered Event invocations of ${fn.name} to replay (${file}).\n`);
    return 0;
  }
  const retryDelayMs = retryDelaySetting(process.env);
  const queue = new EventQueue({
    host,
    deadLetters: store,
    concurrency: 1,
    ...(retryDelayMs === undefined ? {} : { retryDelayMs }),
    log: (line) => env.stderr.write(`${line}\n`),
  });
  const accepted = new Set<string>();
  for (const record of records) {
    const submitted = queue.submit(replayRequest(record), { replayOf: record.requestId });
    if (!submitted.accepted) {
      env.stderr.write(`${submitted.message}\n`);
      break;
    }
    accepted.add(record.requestId);
  }
  store.remove(fn.name, accepted);
  const left = records.length - accepted.size;
  env.stdout.write(
    `Replaying ${plural(accepted.size, "dead-lettered Event invocation")} of ${fn.name} from ${file}` +
      `${left > 0 ? ` (${left} left in the file: the queue is full; run this again)` : ""}.\n`,
  );
  // Ctrl+C stops the queue once the running event ends; another Ctrl+C at once, writing that one back too.
  const stopSignals = listenForStop({
    again: () => {
      env.stderr.write("Stopping at once: the running event goes back to the dead-letter record too.\n");
      queue.stopNow();
    },
  });
  void stopSignals.first.then(() => {
    env.stderr.write("Stopping: events not run yet go back to the dead-letter record.\n");
    void queue.close();
  });
  try {
    await queue.settled();
  } finally {
    await stopSignals.close();
  }
  const stats = queue.stats();
  const again =
    stats.deadLettered["retries-exhausted"] +
    stats.deadLettered["event-too-old"] +
    stats.deadLettered["stack-stopped"];
  env.stdout.write(
    `Replayed ${plural(accepted.size, "event")} of ${fn.name}: ${stats.succeeded} succeeded, ` +
      `${again} dead-lettered again${again > 0 ? ` (${file})` : ""}.\n`,
  );
  return again === 0 ? 0 : 1;
}

/** `--build`: bundles the function from its source, reporting on stderr; a build error is the CLI's message. */
async function build(fn: FunctionDefinition, env: CliEnvironment): Promise<void> {
  try {
    const report = await buildFunction(fn);
    env.stderr.write(
      `[build] ${relative(env.workspaceRoot, fn.dir)}: ${(report.bytes / 1024).toFixed(1)} KB in ${report.durationMs.toFixed(0)} ms\n`,
    );
  } catch (error) {
    if (error instanceof BuildError) throw new CliError(`${fn.name} does not build:\n${error.message}`);
    throw error;
  }
}

/** Runs the invoke and returns the exit code: 0, or 1 when the function failed. */
export async function runInvoke(command: InvokeCommand, env: CliEnvironment): Promise<number> {
  let fn: FunctionDefinition;
  try {
    fn = findFunction(command.functionName, env.workspaceRoot);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  if (command.build === true && command.runner !== "container") await build(fn, env);
  if (command.runner !== "container") requireBuilds([fn], env.workspaceRoot);
  if (command.replayDeadLetters) {
    const host = env.createHost(fn, {
      runner: command.runner,
      ...(command.strategy === undefined ? {} : { strategy: command.strategy }),
      maxInstances: 1,
      logSink: (line) => env.stderr.write(line.endsWith("\n") ? line : `${line}\n`),
    });
    try {
      return await replayDeadLetters(fn, host, env);
    } finally {
      await host.close();
    }
  }
  const payload = await readEvent(command, fn, env);

  const logged = new Set<string>();
  if (command.inspect !== undefined) {
    const port = command.inspect.basePort;
    env.stderr.write(
      `--inspect: ${fn.name}'s runtime waits for a debugger on 127.0.0.1:${port === 0 ? "<the port node prints>" : port} ` +
        '(.vscode/launch.json "Attach to a function"); its timeout is lifted.\n',
    );
  }
  const host = env.createHost(fn, {
    runner: command.runner,
    ...(command.inspect === undefined
      ? {}
      : { inspect: { ports: new InspectPorts(command.inspect.basePort), wait: true } }),
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
