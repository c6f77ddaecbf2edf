/**
 * One instance (one "execution environment"): a runtime process and the Runtime API it talks to, from start to
 * gone. It takes one invoke at a time (./invocation.ts follows each from hand-over to REPORT) and is gone when its
 * process exits; after a timeout, an init error or a failed hand-over it takes no more invokes and ends the process.
 */
import { performance } from "node:perf_hooks";
import { type FunctionDefinition, newLogStreamName } from "@lambda-images/function-config";
import type { InvokeRequest } from "../contract.js";
import { instanceEnvironment } from "./environment.js";
import { debuggerLine, type InspectPorts } from "./inspect.js";
import { type InstanceInvocation, Invocation, type InvocationSite } from "./invocation.js";
import { displayLines, logRuntimeOutput } from "./logs.js";
import { MemorySampler } from "./memory.js";
import { deliveryError, invalidEntrypointError } from "./outcomes.js";
import type { Runner, RuntimeExit, RuntimeProcess } from "./runners/runner.js";
import { type RuntimeApiListener, RuntimeApiServer } from "./runtime-api/server.js";

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

export type InstanceStatus = "starting" | "idle" | "busy" | "gone";

export class Instance {
  readonly #settings: InstanceSettings;
  readonly #server: RuntimeApiServer;
  readonly #site: InvocationSite;
  readonly #memory: MemorySampler;
  #process: RuntimeProcess | undefined;
  #startError: string | undefined;
  /** The debugger port this instance's runtime holds (`--inspect`). */
  #inspectPort: number | undefined;
  #exit: RuntimeExit | undefined;
  #spawnedAt = 0;
  #readyAt: number | undefined;
  #invokes = 0;
  #status: InstanceStatus = "starting";
  #active: Invocation | undefined;
  #retiring = false;
  readonly #gone: Promise<void>;
  #markGone: () => void = () => {};

  private constructor(settings: InstanceSettings) {
    this.#settings = settings;
    this.#server = new RuntimeApiServer(this.#listener());
    this.#site = this.#invocationSite();
    this.#memory = new MemorySampler(() => (this.#exit === undefined ? this.#process?.pid : undefined));
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
      await runner.checkFunction(definition);
      const { inspectPorts, inspectWait } = this.#settings;
      if (inspectPorts !== undefined) {
        const port = inspectPorts.take();
        this.#inspectPort = port;
        this.#log(debuggerLine(port, inspectWait === true));
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
    logRuntimeOutput(
      this.#process,
      (line) => this.#log(line),
      (exit) => {
        if (exit.startError !== undefined) this.#log(`The runtime could not be started: ${exit.startError}`);
        this.#exit = exit;
        this.#onExit(exit);
      },
    );
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
    const timed = this.#settings.inspectPorts === undefined;
    const active = new Invocation(this.#site, requestId, request, cold, timed);
    this.#active = active;

    if (this.#startError !== undefined) {
      active.settle({
        kind: "platform",
        error: invalidEntrypointError(requestId, this.#startError),
        status: { kind: "error", errorType: invalidEntrypointError(requestId, "").errorType },
      });
      return active;
    }
    if (this.#exit !== undefined) {
      active.settle(active.exitEnding(this.#exit));
      return active;
    }
    try {
      this.#server.deliver(active.runtimeInvocation(this.#settings.invokedFunctionArn));
    } catch (error) {
      // Fail this invocation now rather than at its timeout, and replace the instance: whatever went wrong, a fresh
      // one takes the next invoke.
      const why = `The local stack could not hand the invocation to the runtime: ${error instanceof Error ? error.message : String(error)}`;
      this.#log(why, active);
      this.#retiring = true;
      active.settle({
        kind: "platform",
        error: deliveryError(requestId, why),
        status: { kind: "error", errorType: deliveryError(requestId, why).errorType },
      });
      return active;
    }
    if (this.#readyAt !== undefined) active.logStart();
    // Sampled once the runtime has the event, so reading /proc overlaps its work instead of delaying it. (Without a
    // live process, above, there is nothing to sample.)
    this.#memory.start();
    return active;
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

  /** What the runtime does through the Runtime API, passed on to the invoke it concerns. */
  #listener(): RuntimeApiListener {
    return {
      waiting: () => {
        if (this.#readyAt === undefined) this.#readyAt = performance.now();
        const active = this.#active;
        if (active !== undefined) active.runtimeWaiting();
        else if (this.#status === "starting") this.#status = "idle";
      },
      initError: (error) => {
        this.#active?.settle({ kind: "initError", error });
        // The runtime exits by itself after reporting (its exit shows in the logs); make sure it does.
        this.#retiring = true;
        setTimeout(() => this.#process?.kill(), INIT_ERROR_EXIT_GRACE_MS).unref();
      },
      response: (requestId, response) => this.#current(requestId)?.receiveResponse(response),
      error: (requestId, error) => this.#current(requestId)?.receiveError(error),
      responseTooLarge: (requestId, bytes) => this.#current(requestId)?.receiveTooLarge(bytes),
    };
  }

  /** What an invoke reads and asks of this instance. */
  #invocationSite(): InvocationSite {
    const instance = this;
    return {
      definition: this.#settings.definition,
      get spawnedAt() {
        return instance.#spawnedAt;
      },
      get readyAt() {
        return instance.#readyAt;
      },
      get maxMemoryUsedMb() {
        return instance.#memory.peakMb;
      },
      get pidKnown() {
        return instance.#process?.pidKnown;
      },
      sampleMemory: () => this.#memory.sample(),
      log: (line, invocation) => this.#log(line, invocation),
      doNotReuse: () => {
        this.#retiring = true;
      },
      killRuntime: () => this.#process?.kill(),
      finished: () => {
        this.#active = undefined;
        this.#memory.stop();
        if (this.#status !== "gone") {
          if (this.#retiring) this.#process?.kill();
          else this.#status = this.#readyAt === undefined ? "starting" : "idle";
        }
      },
    };
  }

  #current(requestId: string): Invocation | undefined {
    const active = this.#active;
    return active !== undefined && active.requestId === requestId && !active.settled ? active : undefined;
  }

  #onExit(exit: RuntimeExit): void {
    const active = this.#active;
    if (active !== undefined && !active.settled) active.settle(active.exitEnding(exit));
    this.#becomeGone();
  }

  #becomeGone(): void {
    if (this.#inspectPort !== undefined) this.#settings.inspectPorts?.release(this.#inspectPort);
    this.#inspectPort = undefined;
    if (this.#status === "gone") return;
    this.#status = "gone";
    this.#memory.stop();
    void this.#server.close();
    this.#markGone();
    this.#settings.onGone(this);
  }

  /** Writes a line to the log sink, prefixed with the function name, and to the invoke's log tail. */
  #log(line: string, active: Invocation | undefined = this.#active): void {
    const prefix = `[${this.#settings.definition.name}] `;
    for (const part of displayLines(line)) {
      this.#settings.logSink(prefix + part);
      active?.tail?.append(part);
    }
  }
}
