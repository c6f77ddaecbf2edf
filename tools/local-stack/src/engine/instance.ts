/**
 * One instance (one "execution environment"): a runtime process, the Runtime API it talks to, and the invoke it
 * is working on. It turns what the runtime does (or fails to do) into an InvokeOutcome and writes the platform's
 * log lines, the way Lambda does: START/END/REPORT, Sandbox.Timedout after the timeout, Runtime.ExitError when
 * the process dies, the init error when the handler cannot be loaded.
 */
import { performance } from "node:perf_hooks";
import { finished } from "node:stream/promises";
import { type FunctionDefinition, newLogStreamName } from "@lambda-images/function-config";
import { type InvokeReport, type InvokeRequest, LIMITS, type StreamCompletion } from "../contract.js";
import {
  type Ending,
  outcomeOf,
  type Reply,
  type ResponseOutcome,
  statusOf,
  streamCompletion,
} from "./endings.js";
import { instanceEnvironment } from "./environment.js";
import { newTraceId } from "./identity.js";
import type { InspectPorts } from "./inspect.js";
import {
  displayLines,
  endLine,
  initReportLine,
  LineSplitter,
  LogTail,
  type ReportFields,
  reportLine,
  startLine,
} from "./logs.js";
import { peakMemoryMb } from "./memory.js";
import { deliveryError, exitError, invalidEntrypointError, timeoutError } from "./outcomes.js";
import type { Runner, RuntimeExit, RuntimeProcess } from "./runners/runner.js";
import { type RuntimeApiListener, RuntimeApiServer, type RuntimeResponse } from "./runtime-api/server.js";

/** The largest streamed response accepted when the caller reads it as a stream (Lambda's documented maximum). */
export const STREAM_LIMIT_BYTES = 200 * 1024 * 1024;
const MEMORY_SAMPLE_MS = 100;
/** How long a runtime that reported an init error gets to exit by itself before it is killed. */
const INIT_ERROR_EXIT_GRACE_MS = 2000;

export type { ResponseOutcome } from "./endings.js";

export interface InstanceSettings {
  readonly definition: FunctionDefinition;
  readonly runner: Runner;
  readonly region: string;
  readonly invokedFunctionArn: string;
  readonly logSink: (line: string) => void;
  /** Called once when the instance is gone (its process exited or could not start). */
  readonly onGone: (instance: Instance) => void;
  /** `--inspect`: the runtime listens for a debugger on a port from here, and no invoke times out. */
  readonly inspectPorts?: InspectPorts | undefined;
  /** With inspectPorts: the runtime waits for a debugger to attach before it starts. */
  readonly inspectWait?: boolean | undefined;
}

export interface InstanceInvocation {
  /** The caller's answer; for an accepted stream it comes as soon as the stream starts. */
  readonly outcome: Promise<ResponseOutcome>;
  /** Settles when the instance has finished with this invoke (and is idle again, or gone). */
  readonly done: Promise<void>;
}

interface ActiveInvoke {
  readonly requestId: string;
  readonly request: InvokeRequest;
  readonly cold: boolean;
  /** Undefined while a debugger may hold the runtime (`--inspect`): no timeout. */
  readonly timer: NodeJS.Timeout | undefined;
  readonly tail: LogTail | undefined;
  /** performance.now() when START was logged (the runtime got the event). */
  startedAt: number | undefined;
  reply: Reply | undefined;
  /** The runtime asked for the next event after replying: the invoke is over. */
  returned: boolean;
  settled: boolean;
  /** Set once an accepted stream was handed to the caller. */
  completeStream: ((completion: StreamCompletion) => void) | undefined;
  readonly resolveOutcome: (outcome: ResponseOutcome) => void;
  readonly resolveDone: () => void;
}

export type InstanceStatus = "starting" | "idle" | "busy" | "gone";

export class Instance {
  readonly #settings: InstanceSettings;
  readonly #server: RuntimeApiServer;
  #process: RuntimeProcess | undefined;
  #startError: string | undefined;
  /** The debugger port this instance's runtime holds (`--inspect`). */
  #inspectPort: number | undefined;
  #exit: RuntimeExit | undefined;
  #spawnedAt = 0;
  #readyAt: number | undefined;
  #invokes = 0;
  #memoryMb = 0;
  #sampler: NodeJS.Timeout | undefined;
  #status: InstanceStatus = "starting";
  #active: ActiveInvoke | undefined;
  #retiring = false;
  readonly #gone: Promise<void>;
  #markGone: () => void = () => {};

  private constructor(settings: InstanceSettings) {
    this.#settings = settings;
    this.#server = new RuntimeApiServer(this.#listener());
    this.#gone = new Promise((resolve) => {
      this.#markGone = resolve;
    });
  }

  /** Starts the Runtime API and the runtime process. Never throws: a failure to start shows on the first invoke. */
  static async start(settings: InstanceSettings): Promise<Instance> {
    const instance = new Instance(settings);
    await instance.#boot();
    return instance;
  }

  get status(): InstanceStatus {
    return this.#status;
  }

  get definition(): FunctionDefinition {
    return this.#settings.definition;
  }

  /** Whether the instance can take another invoke after this one. */
  get reusable(): boolean {
    return this.#status === "idle" && !this.#retiring;
  }

  async #boot(): Promise<void> {
    const { definition, runner, region } = this.#settings;
    const runtimeApi = await this.#server.listen();
    const environment = instanceEnvironment({
      definition,
      region,
      runtimeApi,
      runtimeDir: runner.runtimeDir,
      logStreamName: newLogStreamName(),
    });
    this.#spawnedAt = performance.now();
    try {
      runner.checkFunction(definition);
      const { inspectPorts, inspectWait } = this.#settings;
      if (inspectPorts !== undefined) {
        const port = inspectPorts.take();
        this.#inspectPort = port;
        this.#log(
          port === 0
            ? "Debugger: node picks the port (its 'Debugger listening on' line names it); no timeout"
            : `Debugger: attach to 127.0.0.1:${port} (.vscode/launch.json "Attach to a function"); no timeout` +
                `${inspectWait === true ? "; the runtime waits for it" : ""}`,
        );
      }
      this.#process = runner.spawn({
        definition,
        environment,
        inspectPort: this.#inspectPort,
        inspectWait: inspectWait === true,
      });
    } catch (error) {
      this.#startError = error instanceof Error ? error.message : String(error);
      this.#log(this.#startError);
      this.#exit = { code: null, signal: null, startError: this.#startError };
      this.#becomeGone();
      return;
    }
    const child = this.#process;
    const stdout = new LineSplitter((line) => this.#log(line));
    const stderr = new LineSplitter((line) => this.#log(line));
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const outputClosed = Promise.all([
      finished(child.stdout).catch(() => undefined),
      finished(child.stderr).catch(() => undefined),
    ]);
    void child.exited.then(async (exit) => {
      // Let the last output arrive so it is logged (and captured) before the invoke ends.
      await Promise.race([outputClosed, delay(200)]);
      stdout.flush();
      stderr.flush();
      if (exit.startError !== undefined) this.#log(`The runtime could not be started: ${exit.startError}`);
      this.#exit = exit;
      this.#onExit(exit);
    });
  }

  /** Runs one invoke. The instance must be starting (its first invoke) or idle. */
  invoke(request: InvokeRequest, requestId: string): InstanceInvocation {
    const unstartable = this.#status === "gone" && this.#startError !== undefined;
    if (this.#active !== undefined || this.#status === "busy" || (this.#status === "gone" && !unstartable)) {
      throw new Error(
        `Instance of ${this.#settings.definition.name} is ${this.#status}: it cannot take an invoke.`,
      );
    }
    const cold = this.#invokes === 0;
    this.#invokes++;
    this.#status = "busy";
    const now = performance.now();
    const timeoutMs = this.#settings.definition.timeout * 1000;
    // On a cold start the deadline also covers the init, as it does in AWS's Runtime Interface Emulator (RIE).
    const deadlineIn = Math.max(0, (cold ? this.#spawnedAt : now) + timeoutMs - now);
    let resolveOutcome: (outcome: ResponseOutcome) => void = () => {};
    let resolveDone: () => void = () => {};
    const outcome = new Promise<ResponseOutcome>((resolve) => {
      resolveOutcome = resolve;
    });
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const active: ActiveInvoke = {
      requestId,
      request,
      cold,
      timer:
        this.#settings.inspectPorts === undefined
          ? setTimeout(() => this.#timedOut(active), deadlineIn)
          : undefined,
      tail: request.captureLogs ? new LogTail() : undefined,
      startedAt: undefined,
      reply: undefined,
      returned: false,
      settled: false,
      completeStream: undefined,
      resolveOutcome,
      resolveDone,
    };
    this.#active = active;

    if (this.#startError !== undefined) {
      this.#settle(active, {
        kind: "platform",
        error: invalidEntrypointError(requestId, this.#startError),
        status: { kind: "error", errorType: invalidEntrypointError(requestId, "").errorType },
      });
      return { outcome, done };
    }
    if (this.#exit !== undefined) {
      this.#settle(active, this.#exitEnding(active, this.#exit));
      return { outcome, done };
    }
    try {
      this.#server.deliver({
        requestId,
        payload: request.payload,
        deadlineMs: Date.now() + deadlineIn,
        invokedFunctionArn: this.#settings.invokedFunctionArn,
        traceId: request.traceId || newTraceId(),
        ...(request.clientContext ? { clientContext: request.clientContext } : {}),
        ...(request.tenantId ? { tenantId: request.tenantId } : {}),
        streamLimitBytes: request.acceptStream ? STREAM_LIMIT_BYTES : LIMITS.responseBytes,
      });
    } catch (error) {
      // Fail this invocation now rather than at its timeout, and replace the instance: whatever went wrong, a fresh
      // one takes the next invoke.
      const why = `The local stack could not hand the invocation to the runtime: ${error instanceof Error ? error.message : String(error)}`;
      this.#log(why, active);
      this.#retiring = true;
      this.#settle(active, {
        kind: "platform",
        error: deliveryError(requestId, why),
        status: { kind: "error", errorType: deliveryError(requestId, why).errorType },
      });
      return { outcome, done };
    }
    if (this.#readyAt !== undefined) this.#logStart(active);
    // Sampled once the runtime has the event, so reading /proc overlaps its work instead of delaying it. (Without a
    // live process, above, there is nothing to sample.)
    this.#startSampling();
    return { outcome, done };
  }

  /** Take no more invokes; stop once the current one is done (at once when idle). */
  retire(): Promise<void> {
    this.#retiring = true;
    if (this.#active === undefined) this.kill();
    return this.#gone;
  }

  /** Ends the process at once (SIGKILL) and resolves when the instance is gone. */
  kill(): Promise<void> {
    this.#retiring = true;
    if (this.#process === undefined || this.#exit !== undefined) this.#becomeGone();
    else this.#process.kill();
    return this.#gone;
  }

  #listener(): RuntimeApiListener {
    return {
      waiting: () => {
        if (this.#readyAt === undefined) this.#readyAt = performance.now();
        const active = this.#active;
        if (active === undefined) {
          if (this.#status === "starting") this.#status = "idle";
          return;
        }
        if (active.reply !== undefined) {
          active.returned = true;
          this.#finishIfComplete(active);
        } else if (active.startedAt === undefined) {
          this.#logStart(active);
        }
      },
      initError: (error) => {
        const active = this.#active;
        if (active !== undefined) this.#settle(active, { kind: "initError", error });
        // The runtime exits by itself after reporting (its exit shows in the logs); make sure it does.
        this.#retiring = true;
        setTimeout(() => this.#process?.kill(), INIT_ERROR_EXIT_GRACE_MS).unref();
      },
      response: (requestId, response) => {
        const active = this.#current(requestId);
        if (active !== undefined) this.#receiveResponse(active, response);
      },
      error: (requestId, error) => {
        const active = this.#current(requestId);
        if (active !== undefined) active.reply = { kind: "error", error };
      },
      responseTooLarge: (requestId, bytes) => {
        const active = this.#current(requestId);
        if (active !== undefined) active.reply = { kind: "tooLarge", bytes };
      },
    };
  }

  #current(requestId: string): ActiveInvoke | undefined {
    const active = this.#active;
    return active !== undefined && active.requestId === requestId && !active.settled ? active : undefined;
  }

  #receiveResponse(active: ActiveInvoke, response: RuntimeResponse): void {
    if (response.kind === "buffered") {
      active.reply = response;
      return;
    }
    if (active.request.acceptStream) {
      const completion = new Promise<StreamCompletion>((resolve) => {
        active.completeStream = resolve;
      });
      active.resolveOutcome({
        kind: "response",
        requestId: active.requestId,
        payload: Buffer.alloc(0),
        stream: response.body,
        streamCompletion: completion,
        contentType: response.contentType,
        report: this.#provisionalReport(active),
      });
      void response.ended.then((end) => {
        if (active.settled) return;
        active.reply = { kind: "streamed", contentType: response.contentType, payload: Buffer.alloc(0), end };
        this.#finishIfComplete(active);
      });
      return;
    }
    const chunks: Buffer[] = [];
    response.body.on("data", (chunk: Buffer) => chunks.push(chunk));
    void Promise.all([response.ended, finished(response.body).catch(() => undefined)]).then(([end]) => {
      if (active.settled) return;
      active.reply = {
        kind: "streamed",
        contentType: response.contentType,
        payload: Buffer.concat(chunks),
        end,
      };
      this.#finishIfComplete(active);
    });
  }

  #finishIfComplete(active: ActiveInvoke): void {
    if (active.reply !== undefined && active.returned && !active.settled) {
      this.#settle(active, { kind: "reply", reply: active.reply });
    }
  }

  #timedOut(active: ActiveInvoke): void {
    if (active.settled) return;
    if (active.reply !== undefined && !(active.reply.kind === "streamed" && active.reply.end.aborted)) {
      // The runtime replied but never asked for more work: answer with the reply and reset the instance.
      this.#settle(active, { kind: "reply", reply: active.reply });
      this.#retiring = true;
      this.#process?.kill();
      return;
    }
    const timeoutSeconds = this.#settings.definition.timeout;
    void this.#sampleMemory().then(() => {
      this.#process?.kill();
      this.#settle(active, {
        kind: "platform",
        error: timeoutError(active.requestId, timeoutSeconds),
        status: { kind: "timeout" },
      });
    });
    this.#retiring = true;
  }

  #onExit(exit: RuntimeExit): void {
    const active = this.#active;
    if (active !== undefined && !active.settled) this.#settle(active, this.#exitEnding(active, exit));
    this.#becomeGone();
  }

  #exitEnding(active: ActiveInvoke, exit: RuntimeExit): Ending {
    const reply = active.reply;
    if (reply !== undefined && !(reply.kind === "streamed" && reply.end.aborted))
      return { kind: "reply", reply };
    const error = exitError(active.requestId, exit);
    return { kind: "platform", error, status: { kind: "error", errorType: error.errorType } };
  }

  #becomeGone(): void {
    if (this.#inspectPort !== undefined) this.#settings.inspectPorts?.release(this.#inspectPort);
    this.#inspectPort = undefined;
    if (this.#status === "gone") return;
    this.#status = "gone";
    this.#stopSampling();
    void this.#server.close();
    this.#markGone();
    this.#settings.onGone(this);
  }

  /** Ends the invoke: logs END/REPORT, answers the caller, frees the instance. */
  #settle(active: ActiveInvoke, ending: Ending): void {
    if (active.settled) return;
    active.settled = true;
    clearTimeout(active.timer);
    const endedAt = performance.now();
    void this.#complete(active, ending, endedAt);
  }

  async #complete(active: ActiveInvoke, ending: Ending, endedAt: number): Promise<void> {
    // Output the runtime wrote before it replied may still be in the pipe: let it arrive first.
    await nextTurn();
    // A container's process is found after the container starts; the runtime has answered, so it runs and the
    // lookup ends soon: wait for it rather than report no memory used. (Not on a timeout: a container that never
    // started must still be killed at once.)
    await this.#process?.pidKnown;
    await this.#sampleMemory();
    const { requestId } = active;
    const initDurationMs = active.cold ? (this.#readyAt ?? endedAt) - this.#spawnedAt : undefined;
    if (active.startedAt === undefined) {
      if (ending.kind === "initError" && initDurationMs !== undefined) {
        this.#log(initReportLine(initDurationMs, ending.error.reportedType), active);
      }
      this.#logStart(active);
    }
    const durationMs = Math.max(0, endedAt - (active.startedAt ?? endedAt));
    const status = statusOf(ending);
    const fields: ReportFields = {
      requestId,
      durationMs,
      // Container-image functions are billed for their init too.
      billedDurationMs: Math.ceil(durationMs + (initDurationMs ?? 0)),
      memorySizeMb: this.#settings.definition.memorySize,
      maxMemoryUsedMb: this.#memoryMb,
      ...(initDurationMs === undefined ? {} : { initDurationMs }),
      ...(status === undefined ? {} : { status }),
    };
    const line = reportLine(fields);
    this.#log(endLine(requestId), active);
    this.#log(line, active);
    const report: InvokeReport = {
      requestId,
      ...(initDurationMs === undefined ? {} : { initDurationMs }),
      durationMs,
      billedDurationMs: fields.billedDurationMs,
      memorySizeMb: fields.memorySizeMb,
      maxMemoryUsedMb: fields.maxMemoryUsedMb,
      reportLine: line,
    };
    const logTail = active.tail?.toString();
    this.#active = undefined;
    this.#stopSampling();
    if (this.#status !== "gone") {
      if (this.#retiring) this.#process?.kill();
      else this.#status = this.#readyAt === undefined ? "starting" : "idle";
    }
    // Free the instance before answering: a caller that invokes again as soon as it has its answer then finds this
    // warm instance idle instead of starting another one.
    active.resolveDone();
    if (active.completeStream !== undefined) {
      active.completeStream(streamCompletion(ending, report, logTail));
    } else {
      active.resolveOutcome(outcomeOf(requestId, ending, report, logTail));
    }
  }

  #logStart(active: ActiveInvoke): void {
    if (active.startedAt !== undefined) return;
    active.startedAt = performance.now();
    this.#log(startLine(active.requestId), active);
  }

  /** Writes a line to the log sink, prefixed with the function name, and to the invoke's log tail. */
  #log(line: string, active: ActiveInvoke | undefined = this.#active): void {
    const prefix = `[${this.#settings.definition.name}] `;
    for (const part of displayLines(line)) {
      this.#settings.logSink(prefix + part);
      active?.tail?.append(part);
    }
  }

  #provisionalReport(active: ActiveInvoke): InvokeReport {
    const now = performance.now();
    const durationMs = now - (active.startedAt ?? now);
    const initDurationMs =
      active.cold && this.#readyAt !== undefined ? this.#readyAt - this.#spawnedAt : undefined;
    return {
      requestId: active.requestId,
      ...(initDurationMs === undefined ? {} : { initDurationMs }),
      durationMs,
      billedDurationMs: Math.ceil(durationMs + (initDurationMs ?? 0)),
      memorySizeMb: this.#settings.definition.memorySize,
      maxMemoryUsedMb: this.#memoryMb,
      reportLine: "",
    };
  }

  async #sampleMemory(): Promise<void> {
    const pid = this.#process?.pid;
    if (pid === undefined || this.#exit !== undefined) return;
    const mb = await peakMemoryMb(pid);
    if (mb !== undefined && mb > this.#memoryMb) this.#memoryMb = mb;
  }

  #startSampling(): void {
    void this.#sampleMemory();
    this.#sampler ??= setInterval(() => void this.#sampleMemory(), MEMORY_SAMPLE_MS);
    this.#sampler.unref();
  }

  #stopSampling(): void {
    if (this.#sampler !== undefined) clearInterval(this.#sampler);
    this.#sampler = undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
