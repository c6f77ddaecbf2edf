/**
 * The local stack: one FunctionHost per function (the engine), with the Invoke API and the HTTP API gateway in
 * front of them. Used by `lambda-local dev`, the end-to-end tests and the benchmark.
 */
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type FunctionDefinition, resolveRegion } from "@lambda-images/function-config";
import { diffFunction } from "./cli/config-diff.js";
import type { FunctionHost, HostOptions } from "./contract.js";
import { createFunctionHost, DEFAULT_MAX_INSTANCES, LOCAL_ACCOUNT_ID } from "./engine/index.js";
import { createFunctionUrlListener } from "./front-doors/http-api/function-url.js";
import { buildRouteTable, type RouteEntry } from "./front-doors/http-api/routes.js";
import { createHttpApiListener } from "./front-doors/http-api/server.js";
import type { EventQueue } from "./front-doors/invoke-api/event-queue.js";
import type { EventQueueSettings } from "./front-doors/invoke-api/event-queue-settings.js";
import { createInvokeApi, type InvokeApi, type StoppedEvents } from "./front-doors/invoke-api/server.js";

export const DEFAULT_INVOKE_PORT = 9000;
export const DEFAULT_HTTP_PORT = 3000;
/** The first Function URL port; each function with `functionUrl` gets the next one, in name order. */
export const DEFAULT_FUNCTION_URL_PORT = 3001;
export const DEFAULT_BIND_ADDRESS = "127.0.0.1";
const LOCAL_API_ID = "local";

export type HostFactory = (fn: FunctionDefinition, options: HostOptions) => FunctionHost;

export interface StackOptions {
  readonly functions: readonly FunctionDefinition[];
  /** Creates the host for each function (default: the engine's `createFunctionHost`). */
  readonly createHost?: HostFactory;
  readonly hostOptions: HostOptions;
  /** Invoke API port (default 9000; 0 picks a free one). */
  readonly invokePort?: number;
  /** HTTP API gateway port (default 3000; 0 picks a free one). */
  readonly httpPort?: number;
  /** The first Function URL port (default 3001, then 3002, ...; 0 picks free ones). */
  readonly functionUrlPort?: number;
  /** Address both servers listen on (default 127.0.0.1). */
  readonly bindAddress?: string;
  /** The function behind `/2015-03-31/functions/function/invocations` (default: the first one by name). */
  readonly defaultFunction?: string;
  /** Request log lines from both servers (default: console.log). */
  readonly log?: (line: string) => void;
  /**
   * Event invocations: where dead letters go (default `.local/dead-letters` under each function's workspace root),
   * the retry delay (default 1 s, then 2 s), and test-only overrides. See src/front-doors/invoke-api/event-queue.ts.
   */
  readonly asyncInvoke?: EventQueueSettings;
}

export interface LocalStack {
  readonly invokeUrl: string;
  readonly httpUrl: string;
  readonly defaultFunction: string;
  readonly hosts: ReadonlyMap<string, FunctionHost>;
  readonly routes: readonly RouteEntry[];
  /** The local Function URL of each function whose config has `functionUrl`, by function name. */
  readonly functionUrls: ReadonlyMap<string, string>;
  /** The Event (asynchronous invoke) queue of each function, by function name: its stats and dead-letter file. */
  readonly eventQueues: ReadonlyMap<string, EventQueue>;
  /**
   * Resolves once every Event (asynchronous) invoke accepted so far has finished: run successfully, or written to
   * the dead-letter record after its retries or its age ran out.
   */
  settled(): Promise<void>;
  /** Stops the function's instances; its next invoke starts a fresh one (after a rebuild). */
  recycle(functionName: string): Promise<void>;
  /**
   * Serves `functions` from now on (dev's live config reload): a new function gets a host, an Event queue, its
   * routes and its Function URL; a removed one loses them; a changed one gets a fresh host with the new settings
   * (its instances are stopped: the next invoke starts one with them), its routes and its Function URL. Resolves
   * once the change is live.
   */
  update(functions: readonly FunctionDefinition[]): Promise<void>;
  /**
   * Stops the servers, then the Event queues (events still waiting are written to the dead-letter record with the
   * reason `stack-stopped`; running ones are waited for), then the instances. Resolves with those dead letters.
   */
  close(): Promise<StoppedEvents>;
  /**
   * For a process that must exit now (a second Ctrl+C during `close()`): every Event invoke still waiting or
   * running is written to the dead-letter record at once (`stack-stopped`). Synchronous. Returns them all.
   */
  stopEventsNow(): StoppedEvents;
}

/** A port the stack wanted is taken. The message says which and how to pick another. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly purpose: string,
    readonly flag: string,
  ) {
    super(
      `Port ${port} (${purpose}) is already in use. Stop whatever is listening there (see: lsof -i :${port}) ` +
        `or choose another port with ${flag} ${port + 1}.`,
    );
    this.name = "PortInUseError";
  }
}

function chooseDefaultFunction(functions: readonly FunctionDefinition[], wanted: string | undefined): string {
  const names = functions.map((fn) => fn.name);
  if (wanted !== undefined) {
    if (!names.includes(wanted)) {
      throw new Error(
        `Unknown default function "${wanted}". Functions in this workspace: ${names.join(", ") || "none"}.`,
      );
    }
    return wanted;
  }
  const first = [...names].sort((a, b) => a.localeCompare(b))[0];
  if (first === undefined) {
    throw new Error(
      'No functions to serve: add a folder under functions/ with a "lambda" block in its package.json.',
    );
  }
  return first;
}

function listen(
  listener: RequestListener,
  port: number,
  bindAddress: string,
  purpose: string,
  flag: string,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ keepAliveTimeout: 65_000 }, listener);
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "EADDRINUSE" ? new PortInUseError(port, purpose, flag) : error);
    });
    server.listen(port, bindAddress, () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function urlOf(server: Server, bindAddress: string): string {
  const { port } = server.address() as AddressInfo;
  const host = bindAddress === "0.0.0.0" || bindAddress === "::" ? "localhost" : bindAddress;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * The host a function's Event queue and the servers hold: when the function's config changes, a new host with the
 * new definition takes the next invokes, and the old one retires (an invoke it is running finishes, then its
 * instances stop) without holding up the change.
 */
class SwappableHost implements FunctionHost {
  /** Old hosts still finishing an invoke. */
  readonly #retiring = new Set<FunctionHost>();
  constructor(private current: FunctionHost) {}
  get definition(): FunctionDefinition {
    return this.current.definition;
  }
  invoke(request: Parameters<FunctionHost["invoke"]>[0]): ReturnType<FunctionHost["invoke"]> {
    return this.current.invoke(request);
  }
  recycle(): Promise<void> {
    return this.current.recycle();
  }
  /** Stops every instance now, the retiring hosts' too. */
  async close(): Promise<void> {
    await Promise.all([this.current, ...this.#retiring].map((host) => host.close()));
  }
  swap(next: FunctionHost): void {
    const old = this.current;
    this.current = next;
    this.#retiring.add(old);
    void old
      .recycle()
      .then(() => old.close())
      .catch(() => undefined)
      .finally(() => this.#retiring.delete(old));
  }
}

/**
 * Creates a host per function and starts the servers (Invoke API, HTTP API, one per Function URL). Fails, having
 * stopped everything, if a port is taken.
 */
export async function startStack(options: StackOptions): Promise<LocalStack> {
  const defaultFunction = chooseDefaultFunction(options.functions, options.defaultFunction);
  const bindAddress = options.bindAddress ?? DEFAULT_BIND_ADDRESS;
  const log = options.log ?? ((line: string) => console.log(line));
  const region = resolveRegion(options.hostOptions.region);
  const createHost = options.createHost ?? createFunctionHost;
  const hosts = new Map<string, SwappableHost>();
  const hostFor = (fn: FunctionDefinition) => createHost(fn, { ...options.hostOptions, region });
  const closeHosts = () => Promise.allSettled([...hosts.values()].map((host) => host.close()));
  try {
    for (const fn of options.functions) hosts.set(fn.name, new SwappableHost(hostFor(fn)));
  } catch (error) {
    await closeHosts();
    throw error;
  }
  /** The definition each function is served with now, for update()'s comparison. */
  const served = new Map(options.functions.map((fn) => [fn.name, fn]));
  // Updated in place by update(): the HTTP API's listener reads this array on every request.
  const routes = buildRouteTable(options.functions);
  let invokeApi: InvokeApi;
  try {
    invokeApi = createInvokeApi({
      hosts,
      defaultFunction,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      log,
      asyncInvoke: {
        // One Event delivery per instance the host may run; past that, events wait in their queue.
        concurrency: options.hostOptions.maxInstances ?? DEFAULT_MAX_INSTANCES,
        ...options.asyncInvoke,
      },
    });
  } catch (error) {
    await closeHosts();
    throw error;
  }
  const httpListener = createHttpApiListener({
    hosts,
    routes,
    accountId: LOCAL_ACCOUNT_ID,
    apiId: LOCAL_API_ID,
    log,
  });

  const servers: Server[] = [];
  const functionUrls = new Map<string, string>();
  const urlServers = new Map<string, Server>();
  const firstUrlPort = options.functionUrlPort ?? DEFAULT_FUNCTION_URL_PORT;
  let urlIndex = 0;
  async function startFunctionUrl(fn: FunctionDefinition): Promise<void> {
    const host = hosts.get(fn.name) as FunctionHost;
    const listener = createFunctionUrlListener({ host, accountId: LOCAL_ACCOUNT_ID, log });
    const port = firstUrlPort === 0 ? 0 : firstUrlPort + urlIndex++;
    const server = await listen(listener, port, bindAddress, `Function URL of ${fn.name}`, "--url-port");
    urlServers.set(fn.name, server);
    functionUrls.set(fn.name, `${urlOf(server, bindAddress)}/`);
  }
  async function stopFunctionUrl(name: string): Promise<void> {
    const server = urlServers.get(name);
    urlServers.delete(name);
    functionUrls.delete(name);
    if (server !== undefined) await closeServer(server);
  }
  try {
    servers.push(
      await listen(
        invokeApi.listener,
        options.invokePort ?? DEFAULT_INVOKE_PORT,
        bindAddress,
        "Invoke API",
        "--port",
      ),
    );
    servers.push(
      await listen(
        httpListener,
        options.httpPort ?? DEFAULT_HTTP_PORT,
        bindAddress,
        "HTTP API",
        "--http-port",
      ),
    );
    for (const fn of options.functions) if (fn.functionUrl !== undefined) await startFunctionUrl(fn);
  } catch (error) {
    await Promise.all([...servers, ...urlServers.values()].map(closeServer));
    await closeHosts();
    throw error;
  }
  const [invokeServer, httpServer] = servers as [Server, Server, ...Server[]];

  async function update(functions: readonly FunctionDefinition[]): Promise<void> {
    const next = new Map(functions.map((fn) => [fn.name, fn]));
    for (const [name, host] of [...hosts]) {
      if (next.has(name)) continue;
      served.delete(name);
      await stopFunctionUrl(name);
      hosts.delete(name);
      await invokeApi.removeFunction(name);
      await host.close();
    }
    for (const fn of functions) {
      const host = hosts.get(fn.name);
      const before = served.get(fn.name);
      served.set(fn.name, fn);
      if (host === undefined || before === undefined) {
        hosts.set(fn.name, new SwappableHost(hostFor(fn)));
        invokeApi.addFunction(fn.name);
        if (fn.functionUrl !== undefined) await startFunctionUrl(fn);
        continue;
      }
      const changes = diffFunction(before, fn);
      // A new host runs the new settings; an invoke still running on the old one finishes there.
      if (changes.instances) host.swap(hostFor(fn));
      if (changes.functionUrl) {
        await stopFunctionUrl(fn.name);
        if (fn.functionUrl !== undefined) await startFunctionUrl(fn);
      }
    }
    routes.splice(0, routes.length, ...buildRouteTable(functions));
  }

  return {
    invokeUrl: urlOf(invokeServer, bindAddress),
    httpUrl: urlOf(httpServer, bindAddress),
    defaultFunction,
    hosts,
    get routes() {
      return routes;
    },
    functionUrls,
    eventQueues: invokeApi.eventQueues,
    settled: () => invokeApi.settled(),
    async recycle(functionName) {
      await hosts.get(functionName)?.recycle();
    },
    update,
    stopEventsNow: () => invokeApi.stopNow(),
    async close() {
      await Promise.all([...servers, ...urlServers.values()].map(closeServer));
      const stopped = await invokeApi.close();
      await closeHosts();
      return stopped;
    },
  };
}
