/**
 * The engine's side of the contract: one FunctionHost per function. It keeps up to `maxInstances` instances
 * (each its own runtime process), reuses warm ones, queues invokes beyond that (FIFO) and throttles past
 * `maxQueue`, so concurrent invokes never step on each other (AWS's Runtime Interface Emulator, RIE, crashes on the second one).
 */
import { type FunctionDefinition, resolveRegion } from "@lambda-images/function-config";
import {
  type FunctionHost,
  type HostOptions,
  type InvokeOutcome,
  type InvokeRequest,
  LIMITS,
} from "../contract.js";
import { functionArn, newRequestId } from "./identity.js";
import type { InspectPorts } from "./inspect.js";
import { Instance, type ResponseOutcome } from "./instance.js";
import { createRunner } from "./runners/index.js";
import type { Runner } from "./runners/runner.js";

export const DEFAULT_MAX_INSTANCES = 4;
const DEFAULT_MAX_QUEUE = 32;

/** Thrown by `invoke` for a payload Lambda would refuse (the front doors answer 413 before getting here). */
export class RequestTooLargeError extends Error {
  readonly bytes: number;
  constructor(bytes: number) {
    super(
      `Request must be smaller than ${LIMITS.requestBytes} bytes for the InvokeFunction operation (got ${bytes}).`,
    );
    this.name = "RequestEntityTooLargeException";
    this.bytes = bytes;
  }
}

interface QueuedInvoke {
  readonly request: InvokeRequest;
  readonly resolve: (outcome: InvokeOutcome) => void;
  readonly reject: (error: unknown) => void;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || (name === "maxInstances" && value === 0)) {
    throw new Error(
      `${name} must be a whole number${name === "maxInstances" ? " of at least 1" : " (0 or more)"}.`,
    );
  }
  return value;
}

const printedNotices = new Set<string>();

/**
 * A runner's notice (e.g. "running the fallback client, and why", or that a function configured for another
 * architecture runs on this machine's): one line on stderr, once per process.
 */
function printNoticeOnce(notice: string | undefined): void {
  if (notice === undefined || printedNotices.has(notice)) return;
  printedNotices.add(notice);
  process.stderr.write(`lambda-local: ${notice}\n`);
}

class PooledFunctionHost implements FunctionHost {
  readonly definition: FunctionDefinition;
  readonly #runner: Runner;
  readonly #region: string;
  readonly #arn: string;
  readonly #maxInstances: number;
  readonly #maxQueue: number;
  readonly #logSink: (line: string) => void;
  readonly #inspectPorts: InspectPorts | undefined;
  readonly #inspectWait: boolean;
  /** Every instance that is starting, busy or idle. */
  readonly #instances = new Set<Instance>();
  /** Warm instances waiting for work, most recently used last. */
  readonly #idle: Instance[] = [];
  readonly #queue: QueuedInvoke[] = [];
  /** Instances being started; they count towards maxInstances. */
  #starting = 0;
  #closed = false;

  constructor(definition: FunctionDefinition, options: HostOptions) {
    this.definition = definition;
    this.#runner =
      typeof options.runner === "string"
        ? createRunner(options.runner, {
            ...(options.strategy === undefined ? {} : { strategy: options.strategy }),
            ...(options.image === undefined ? {} : { image: options.image }),
          })
        : options.runner;
    this.#runner.checkAvailable();
    printNoticeOnce(this.#runner.notice);
    printNoticeOnce(this.#runner.functionNotice?.(definition));
    this.#region = resolveRegion(options.region);
    this.#arn = functionArn(this.#region, definition.name);
    this.#maxInstances = positiveInteger(options.maxInstances, DEFAULT_MAX_INSTANCES, "maxInstances");
    this.#maxQueue = positiveInteger(options.maxQueue, DEFAULT_MAX_QUEUE, "maxQueue");
    this.#logSink = options.logSink ?? ((line) => process.stdout.write(`${line}\n`));
    const { inspect } = options;
    this.#inspectPorts =
      inspect !== undefined &&
      (inspect.functionName === undefined || inspect.functionName === definition.name)
        ? inspect.ports
        : undefined;
    this.#inspectWait = inspect?.wait === true;
  }

  invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    if (request.payload.length > LIMITS.requestBytes) {
      return Promise.reject(new RequestTooLargeError(request.payload.length));
    }
    if (this.#closed) return Promise.resolve(this.#throttled("the local stack is shutting down"));
    const warm = this.#takeIdle();
    if (warm !== undefined) return this.#run(warm, request);
    if (this.#instances.size + this.#starting < this.#maxInstances) return this.#runCold(request);
    if (this.#queue.length >= this.#maxQueue) {
      return Promise.resolve(
        this.#throttled(
          `all ${this.#maxInstances} instances are busy and ${this.#maxQueue} invokes are already waiting`,
        ),
      );
    }
    return new Promise((resolve, reject) => this.#queue.push({ request, resolve, reject }));
  }

  async recycle(): Promise<void> {
    const instances = [...this.#instances];
    this.#idle.length = 0;
    await Promise.all(instances.map((instance) => instance.retire()));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const queued of this.#queue.splice(0)) {
      queued.resolve(this.#throttled("the local stack is shutting down"));
    }
    this.#idle.length = 0;
    await Promise.all([...this.#instances].map((instance) => instance.kill()));
  }

  #takeIdle(): Instance | undefined {
    for (let instance = this.#idle.pop(); instance !== undefined; instance = this.#idle.pop()) {
      if (instance.reusable) return instance;
    }
    return undefined;
  }

  #throttled(reason: string): InvokeOutcome {
    return {
      kind: "throttled",
      message: `Rate Exceeded: function ${this.definition.name} cannot take this invoke now: ${reason}.`,
    };
  }

  async #runCold(request: InvokeRequest): Promise<InvokeOutcome> {
    this.#starting++;
    let instance: Instance;
    try {
      instance = await Instance.start({
        definition: this.definition,
        runner: this.#runner,
        region: this.#region,
        invokedFunctionArn: this.#arn,
        logSink: this.#logSink,
        onGone: (gone) => this.#forget(gone),
        inspectPorts: this.#inspectPorts,
        inspectWait: this.#inspectWait,
      });
    } finally {
      this.#starting--;
    }
    if (this.#closed) {
      void instance.kill();
      return this.#throttled("the local stack is shutting down");
    }
    if (instance.status !== "gone") this.#instances.add(instance);
    return this.#run(instance, request);
  }

  #run(instance: Instance, request: InvokeRequest): Promise<ResponseOutcome> {
    try {
      const { outcome, done } = instance.invoke(request, request.requestId ?? newRequestId());
      void done.then(() => this.#release(instance));
      return outcome;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** An instance finished an invoke: give it the next queued invoke, or keep it warm. */
  #release(instance: Instance): void {
    if (this.#closed) return;
    if (!instance.reusable) {
      this.#startForQueue();
      return;
    }
    const next = this.#queue.shift();
    if (next !== undefined) {
      this.#run(instance, next.request).then(next.resolve, next.reject);
      return;
    }
    this.#idle.push(instance);
  }

  #forget(instance: Instance): void {
    this.#instances.delete(instance);
    const index = this.#idle.indexOf(instance);
    if (index >= 0) this.#idle.splice(index, 1);
    this.#startForQueue();
  }

  /** When an instance went away, start a fresh one for the invokes still waiting. */
  #startForQueue(): void {
    while (
      !this.#closed &&
      this.#queue.length > 0 &&
      this.#instances.size + this.#starting < this.#maxInstances
    ) {
      const next = this.#queue.shift();
      if (next === undefined) return;
      this.#runCold(next.request).then(next.resolve, next.reject);
    }
  }
}

/** The engine's entry point: a host that runs `definition` in its own instances with the chosen runner. */
export function createFunctionHost(definition: FunctionDefinition, options: HostOptions): FunctionHost {
  return new PooledFunctionHost(definition, options);
}
