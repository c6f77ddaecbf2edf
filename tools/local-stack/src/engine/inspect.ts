/**
 * `--inspect`: the debugger ports of the runtimes that listen for one. Each instance takes the lowest port from
 * the base up that no other instance holds, and gives it back when it is gone. Loopback only.
 */
export class InspectPorts {
  readonly #held = new Set<number>();

  /** `basePort` 0: node picks a free port for each runtime (it prints "Debugger listening on ws://..."). */
  constructor(readonly basePort: number) {}

  take(): number {
    if (this.basePort === 0) return 0;
    let port = this.basePort;
    while (this.#held.has(port)) port++;
    this.#held.add(port);
    return port;
  }

  release(port: number): void {
    this.#held.delete(port);
  }
}

/** Whose runtimes listen for a debugger (HostOptions.inspect). */
export interface InspectSettings {
  readonly ports: InspectPorts;
  /** Only this function's runtimes; undefined: every function's. */
  readonly functionName?: string | undefined;
  /**
   * Start node with --inspect-wait: the runtime waits for a debugger before it runs anything (`invoke --inspect`,
   * whose one invoke would otherwise be over before a debugger could attach).
   */
  readonly wait?: boolean | undefined;
}

/** The line an instance logs when its runtime listens for a debugger on `port` (0: node picks it). */
export function debuggerLine(port: number, wait: boolean): string {
  return port === 0
    ? "Debugger: node picks the port (its 'Debugger listening on' line names it); no timeout"
    : `Debugger: attach to 127.0.0.1:${port} (.vscode/launch.json "Attach to a function"); no timeout` +
        `${wait ? "; the runtime waits for it" : ""}`;
}
