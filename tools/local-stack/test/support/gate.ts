/**
 * A gate a test function waits at, so a test can assert what happened *between* two steps of a function without
 * racing it: the function calls `GET <url>/<step>` when it reaches a step (after writing a chunk, say) and waits
 * for the answer; the test sees the arrival, checks the state of the world, then releases the step.
 *
 *   const gate = await openGate();
 *   invoke({ gate: gate.url });         // the function: `await fetch(`${event.gate}/0`)` after its first write
 *   await gate.reached(0);              // the function has written chunk 0 and is held
 *   ...assert that chunk 0 arrived and the invoke has not finished...
 *   gate.release(0);                    // let it write the next one
 *
 * Nothing here waits for time: each step is an event the function causes and the test answers.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Gate {
  /** Where the function calls: `${url}/${step}`. */
  readonly url: string;
  /** Resolves once the function has called step `step` (it is then held until `release(step)`). */
  reached(step: string | number): Promise<void>;
  /** Lets the function go on past `step` (now, or as soon as it arrives). */
  release(step: string | number): void;
  /** Steps the function has reached so far, in the order it reached them. */
  readonly arrivals: readonly string[];
  /** Releases every held call and stops the server. */
  close(): Promise<void>;
}

interface Step {
  arrived: boolean;
  released: boolean;
  readonly waiters: Array<() => void>;
  readonly held: ServerResponse[];
}

/** Opens a gate on a loopback port. */
export async function openGate(): Promise<Gate> {
  const steps = new Map<string, Step>();
  const arrivals: string[] = [];
  const step = (name: string): Step => {
    let entry = steps.get(name);
    if (entry === undefined) {
      entry = { arrived: false, released: false, waiters: [], held: [] };
      steps.set(name, entry);
    }
    return entry;
  };
  const open = (response: ServerResponse) => response.writeHead(200, { connection: "close" }).end("go");

  const server = createServer((request, response) => {
    const name = decodeURIComponent((request.url ?? "/").slice(1));
    const entry = step(name);
    entry.arrived = true;
    arrivals.push(name);
    if (entry.released) open(response);
    else entry.held.push(response);
    for (const wake of entry.waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    reached(name) {
      const entry = step(String(name));
      if (entry.arrived) return Promise.resolve();
      return new Promise((resolve) => entry.waiters.push(resolve));
    },
    release(name) {
      const entry = step(String(name));
      entry.released = true;
      for (const response of entry.held.splice(0)) open(response);
    },
    async close() {
      for (const entry of steps.values()) {
        entry.released = true;
        for (const response of entry.held.splice(0)) open(response);
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
