/**
 * One invoke on an instance, from the hand-over to the runtime to END and REPORT: its deadline, the runtime's reply
 * as it arrives, and how it ends (the reply, Sandbox.Timedout after the timeout, Runtime.ExitError when the process
 * dies, the init error), answered to the caller with what the invoke was billed and used.
 *
 * The timeout is Lambda's, not the Runtime Interface Emulator's: a cold start's init has a limit of its own
 * (INIT_LIMIT_MS), and the function's timeout starts when the runtime takes the event. An init that runs past its
 * limit goes on under the function's timeout, counted from the limit (Lambda retries such an init at the invoke,
 * under the function's timeout; here the one init goes on rather than starting over).
 */
import { performance } from "node:perf_hooks";
import { finished } from "node:stream/promises";
import type { FunctionDefinition } from "@lambda-images/function-config";
import { type InvokeReport, type InvokeRequest, LIMITS, type StreamCompletion } from "../contract.js";
import {
  type Ending,
  outcomeOf,
  type Reply,
  type ResponseOutcome,
  statusOf,
  streamCompletion,
} from "./endings.js";
import { newTraceId } from "./identity.js";
import { endLine, initReportLine, LogTail, startLine } from "./logs.js";
import { exitError, timeoutError } from "./outcomes.js";
import { billedDurationMs, finalReport } from "./report.js";
import type { RuntimeExit } from "./runners/runner.js";
import type { RuntimeError, RuntimeInvocation, RuntimeResponse } from "./runtime-api/server.js";

/** Lambda's limit on an on-demand function's init phase. */
export const INIT_LIMIT_MS = 10_000;

/** The largest streamed response accepted when the caller reads it as a stream (Lambda's documented maximum). */
const STREAM_LIMIT_BYTES = 200 * 1024 * 1024;

/** What an instance gives back for an invoke. */
export interface InstanceInvocation {
  /** The caller's answer; for an accepted stream it comes as soon as the stream starts. */
  readonly outcome: Promise<ResponseOutcome>;
  /** Settles when the instance has finished with this invoke (and is idle again, or gone). */
  readonly done: Promise<void>;
}

/** What an invoke needs from the instance it runs on. */
export interface InvocationSite {
  readonly definition: FunctionDefinition;
  /** performance.now() when the runtime was started, and when it first asked for work (its init was done). */
  readonly spawnedAt: number;
  readonly readyAt: number | undefined;
  /** Max Memory Used so far, in MB. */
  readonly maxMemoryUsedMb: number;
  /** The runtime process's `pidKnown` (undefined without a process). */
  readonly pidKnown: Promise<void> | undefined;
  /** Reads Max Memory Used now; resolves with whether there was a process to read. */
  sampleMemory(): Promise<boolean>;
  log(line: string, invocation: Invocation): void;
  /** The instance takes no invoke after this one. */
  doNotReuse(): void;
  /** Ends the runtime process (SIGKILL). */
  killRuntime(): void;
  /** The invoke is over and logged: the instance is free (or retires) before the caller is answered. */
  finished(): void;
}

export class Invocation implements InstanceInvocation {
  readonly requestId: string;
  readonly request: InvokeRequest;
  readonly cold: boolean;
  readonly tail: LogTail | undefined;
  readonly outcome: Promise<ResponseOutcome>;
  readonly done: Promise<void>;
  readonly #site: InvocationSite;
  /** False while a debugger may hold the runtime (`--inspect`): no init limit, no timeout. */
  readonly #timed: boolean;
  /** The init limit's timer until the invoke phase begins, then the function's timeout. */
  #timer: NodeJS.Timeout | undefined;
  /** performance.now() of the deadline, set when the function's timeout starts. */
  #deadlineAt: number | undefined;
  /** performance.now() when START was logged (the runtime got the event). */
  #startedAt: number | undefined;
  #reply: Reply | undefined;
  /** Max Memory Used was read when the reply arrived (see #sampleAtReply). */
  #sampledAtReply = false;
  /** The runtime asked for the next event after replying: the invoke is over. */
  #returned = false;
  #settled = false;
  /** Set once an accepted stream was handed to the caller. */
  #completeStream: ((completion: StreamCompletion) => void) | undefined;
  #resolveOutcome: (outcome: ResponseOutcome) => void = () => {};
  #resolveDone: () => void = () => {};

  /** `timed`: false under `--inspect`, where no invoke times out. */
  constructor(
    site: InvocationSite,
    requestId: string,
    request: InvokeRequest,
    cold: boolean,
    timed: boolean,
  ) {
    this.#site = site;
    this.requestId = requestId;
    this.request = request;
    this.cold = cold;
    this.#timed = timed;
    this.outcome = new Promise<ResponseOutcome>((resolve) => {
      this.#resolveOutcome = resolve;
    });
    this.done = new Promise<void>((resolve) => {
      this.#resolveDone = resolve;
    });
    this.tail = request.captureLogs ? new LogTail() : undefined;
    const now = performance.now();
    if (cold && site.readyAt === undefined) {
      this.#arm(site.spawnedAt + INIT_LIMIT_MS - now, () => this.#initTimedOut());
    } else {
      this.#startTimeout(now);
    }
  }

  get settled(): boolean {
    return this.#settled;
  }

  /**
   * The event as the runtime's `/next` hands it over. Its deadline is read when the runtime takes it: on a cold start
   * the function's timeout starts then (until then it reads as a whole timeout from now).
   */
  runtimeInvocation(invokedFunctionArn: string): RuntimeInvocation {
    const { request } = this;
    const timeoutMs = this.#site.definition.timeout * 1000;
    const deadline = () => {
      const now = performance.now();
      return Math.round(Date.now() + Math.max(0, (this.#deadlineAt ?? now + timeoutMs) - now));
    };
    return {
      requestId: this.requestId,
      payload: request.payload,
      get deadlineMs() {
        return deadline();
      },
      invokedFunctionArn,
      traceId: request.traceId || newTraceId(),
      ...(request.clientContext ? { clientContext: request.clientContext } : {}),
      ...(request.tenantId ? { tenantId: request.tenantId } : {}),
      streamLimitBytes: request.acceptStream ? STREAM_LIMIT_BYTES : LIMITS.responseBytes,
    };
  }

  /** The runtime asked for work: after its reply, the invoke is over; before it, the runtime now has the event. */
  runtimeWaiting(): void {
    if (this.#reply !== undefined) {
      this.#returned = true;
      this.#finishIfComplete();
    } else if (this.#startedAt === undefined) {
      this.#startTimeout(performance.now());
      this.logStart();
    }
  }

  receiveError(error: RuntimeError): void {
    this.#reply = { kind: "error", error };
    this.#sampleAtReply();
  }

  receiveTooLarge(bytes: number): void {
    this.#reply = { kind: "tooLarge", bytes };
    this.#sampleAtReply();
  }

  receiveResponse(response: RuntimeResponse): void {
    if (response.kind === "buffered") {
      this.#reply = response;
      this.#sampleAtReply();
      return;
    }
    if (this.request.acceptStream) {
      const completion = new Promise<StreamCompletion>((resolve) => {
        this.#completeStream = resolve;
      });
      this.#resolveOutcome({
        kind: "response",
        requestId: this.requestId,
        payload: Buffer.alloc(0),
        stream: response.body,
        streamCompletion: completion,
        contentType: response.contentType,
        report: this.#provisionalReport(),
      });
      void response.ended.then((end) => {
        if (this.#settled) return;
        this.#reply = { kind: "streamed", contentType: response.contentType, payload: Buffer.alloc(0), end };
        this.#finishIfComplete();
      });
      return;
    }
    const chunks: Buffer[] = [];
    response.body.on("data", (chunk: Buffer) => chunks.push(chunk));
    void Promise.all([response.ended, finished(response.body).catch(() => undefined)]).then(([end]) => {
      if (this.#settled) return;
      this.#reply = {
        kind: "streamed",
        contentType: response.contentType,
        payload: Buffer.concat(chunks),
        end,
      };
      this.#finishIfComplete();
    });
  }

  /** How the invoke ends when the runtime exits: its reply if it gave a whole one, else Runtime.ExitError. */
  exitEnding(exit: RuntimeExit): Ending {
    const reply = this.#reply;
    if (reply !== undefined && !(reply.kind === "streamed" && reply.end.aborted))
      return { kind: "reply", reply };
    const error = exitError(this.requestId, exit);
    return { kind: "platform", error, status: { kind: "error", errorType: error.errorType } };
  }

  /**
   * Reads Max Memory Used as a whole reply arrives (the runtime has been answered and goes on to ask for the next
   * event), so that the read overlaps the runtime's work instead of delaying the caller's answer once it asked;
   * #complete then reads only if this did not.
   */
  #sampleAtReply(): void {
    void this.#site.sampleMemory().then((read) => {
      this.#sampledAtReply = read;
    });
  }

  logStart(): void {
    if (this.#startedAt !== undefined) return;
    this.#startedAt = performance.now();
    this.#site.log(startLine(this.requestId), this);
  }

  /** Ends the invoke: logs END/REPORT, answers the caller, frees the instance. */
  settle(ending: Ending): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    const endedAt = performance.now();
    void this.#complete(ending, endedAt);
  }

  #finishIfComplete(): void {
    if (this.#reply !== undefined && this.#returned && !this.#settled) {
      this.settle({ kind: "reply", reply: this.#reply });
    }
  }

  #arm(delayMs: number, fire: () => void): void {
    if (!this.#timed || this.#settled) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(fire, Math.max(0, delayMs));
  }

  /** The invoke phase begins: the function's timeout runs from `now`. */
  #startTimeout(now: number): void {
    if (this.#deadlineAt !== undefined) return;
    this.#deadlineAt = now + this.#site.definition.timeout * 1000;
    this.#arm(this.#deadlineAt - now, () => this.#timedOut());
  }

  /** The init ran past Lambda's limit: logged as Lambda logs it, and it goes on under the function's timeout. */
  #initTimedOut(): void {
    if (this.#settled || this.#deadlineAt !== undefined) return;
    this.#site.log(initReportLine(INIT_LIMIT_MS, { kind: "timeout" }), this);
    this.#startTimeout(performance.now());
  }

  #timedOut(): void {
    if (this.#settled) return;
    const site = this.#site;
    if (this.#reply !== undefined && !(this.#reply.kind === "streamed" && this.#reply.end.aborted)) {
      // The runtime replied but never asked for more work: answer with the reply and reset the instance.
      this.settle({ kind: "reply", reply: this.#reply });
      site.doNotReuse();
      site.killRuntime();
      return;
    }
    const timeoutSeconds = site.definition.timeout;
    void site.sampleMemory().then(() => {
      site.killRuntime();
      this.settle({
        kind: "platform",
        error: timeoutError(this.requestId, timeoutSeconds),
        status: { kind: "timeout" },
      });
    });
    site.doNotReuse();
  }

  async #complete(ending: Ending, endedAt: number): Promise<void> {
    const site = this.#site;
    // Output the runtime wrote before it replied may still be in the pipe: let it arrive first.
    await nextTurn();
    // A container's process is found after the container starts; the runtime has answered, so it runs and the
    // lookup ends soon: wait for it rather than report no memory used. (Not on a timeout: a container that never
    // started must still be killed at once.)
    if (!(ending.kind === "reply" && this.#sampledAtReply)) {
      await site.pidKnown;
      await site.sampleMemory();
    }
    const { requestId } = this;
    const initDurationMs = this.cold ? (site.readyAt ?? endedAt) - site.spawnedAt : undefined;
    if (this.#startedAt === undefined) {
      if (ending.kind === "initError" && initDurationMs !== undefined) {
        site.log(
          initReportLine(initDurationMs, { kind: "error", errorType: ending.error.reportedType }),
          this,
        );
      }
      this.logStart();
    }
    const durationMs = Math.max(0, endedAt - (this.#startedAt ?? endedAt));
    const status = statusOf(ending);
    const report = finalReport({
      requestId,
      durationMs,
      billedDurationMs: billedDurationMs(durationMs, initDurationMs),
      memorySizeMb: site.definition.memorySize,
      maxMemoryUsedMb: site.maxMemoryUsedMb,
      ...(initDurationMs === undefined ? {} : { initDurationMs }),
      ...(status === undefined ? {} : { status }),
    });
    site.log(endLine(requestId), this);
    site.log(report.reportLine, this);
    const logTail = this.tail?.toString();
    site.finished();
    // Free the instance before answering: a caller that invokes again as soon as it has its answer then finds this
    // warm instance idle instead of starting another one.
    this.#resolveDone();
    if (this.#completeStream !== undefined) {
      this.#completeStream(streamCompletion(ending, report, logTail));
    } else {
      this.#resolveOutcome(outcomeOf(requestId, ending, report, logTail));
    }
  }

  /** The report an accepted stream's caller gets when the stream starts: the figures so far, no REPORT line yet. */
  #provisionalReport(): InvokeReport {
    const site = this.#site;
    const now = performance.now();
    const durationMs = now - (this.#startedAt ?? now);
    const initDurationMs =
      this.cold && site.readyAt !== undefined ? site.readyAt - site.spawnedAt : undefined;
    return {
      requestId: this.requestId,
      ...(initDurationMs === undefined ? {} : { initDurationMs }),
      durationMs,
      billedDurationMs: billedDurationMs(durationMs, initDurationMs),
      memorySizeMb: site.definition.memorySize,
      maxMemoryUsedMb: site.maxMemoryUsedMb,
      reportLine: "",
    };
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
