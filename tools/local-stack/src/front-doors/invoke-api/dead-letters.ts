/**
 * The dead-letter record of Event invocations: `.local/dead-letters/<function>.jsonl` under the workspace root, one
 * JSON object per line for each event the Event queue gave up on (retries exhausted, too old, or still waiting when
 * the stack stopped). Real Lambda would send these to an on-failure destination or a dead-letter queue, or drop
 * them; here they are kept, readable, and replayed with `lambda-local invoke <fn> --replay-dead-letters`.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { type FunctionDefinition, findWorkspaceRoot } from "@lambda-images/function-config";
import type { InvokeRequest } from "../../contract.js";

/** Where the record lives, relative to the workspace root (`.local/` is gitignored). */
export const DEAD_LETTER_DIR = join(".local", "dead-letters");

const DEAD_LETTER_REASONS = ["retries-exhausted", "event-too-old", "stack-stopped"] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** One attempt to run the event that ended in a function error. */
export interface FailedAttempt {
  /** ISO timestamps. */
  readonly startedAt: string;
  readonly endedAt: string;
  readonly errorType: string;
  readonly errorMessage: string;
}

export interface DeadLetterRecord {
  readonly reason: DeadLetterReason;
  readonly functionName: string;
  /** The request ID the caller got in the 202 (and the function saw on every attempt). */
  readonly requestId: string;
  /** The error of the last attempt; absent when the event never ran. */
  readonly errorType?: string;
  readonly errorMessage?: string;
  readonly attempts: readonly FailedAttempt[];
  /** ISO timestamps. */
  readonly acceptedAt: string;
  readonly deadLetteredAt: string;
  /** Set when this event was itself a replay of an earlier dead-lettered one: that one's request ID. */
  readonly replayOf?: string;
  readonly clientContext?: string;
  readonly traceId?: string;
  readonly tenantId?: string;
  /** The event, as JSON. */
  readonly payload: unknown;
}

/** The request a dead-lettered event is replayed with (a new Event invoke: the queue gives it a new ID). */
export function replayRequest(record: DeadLetterRecord): InvokeRequest {
  return {
    payload: Buffer.from(JSON.stringify(record.payload)),
    ...(record.clientContext === undefined ? {} : { clientContext: record.clientContext }),
    ...(record.traceId === undefined ? {} : { traceId: record.traceId }),
    ...(record.tenantId === undefined ? {} : { tenantId: record.tenantId }),
  };
}

/** The event of an invoke request as the record shows it: parsed JSON, or the text if it is not JSON. */
function recordedPayload(payload: Buffer): unknown {
  const text = payload.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An event the Event queue gives up on, as it knows it. */
export interface GivenUpEvent {
  readonly requestId: string;
  readonly request: InvokeRequest;
  /** ms since the epoch. */
  readonly acceptedAt: number;
  readonly replayOf: string | undefined;
  readonly attempts: readonly FailedAttempt[];
}

/** The record of `event`, dead-lettered at `deadLetteredAt` (ms since the epoch). */
export function deadLetterRecord(
  functionName: string,
  event: GivenUpEvent,
  reason: DeadLetterReason,
  deadLetteredAt: number,
): DeadLetterRecord {
  const last = event.attempts.at(-1);
  const { request } = event;
  return {
    reason,
    functionName,
    requestId: event.requestId,
    ...(last === undefined ? {} : { errorType: last.errorType, errorMessage: last.errorMessage }),
    attempts: event.attempts,
    acceptedAt: new Date(event.acceptedAt).toISOString(),
    deadLetteredAt: new Date(deadLetteredAt).toISOString(),
    ...(event.replayOf === undefined ? {} : { replayOf: event.replayOf }),
    ...(request.clientContext === undefined ? {} : { clientContext: request.clientContext }),
    ...(request.traceId === undefined ? {} : { traceId: request.traceId }),
    ...(request.tenantId === undefined ? {} : { tenantId: request.tenantId }),
    payload: recordedPayload(request.payload),
  };
}

function isRecord(value: unknown): value is DeadLetterRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Partial<Record<keyof DeadLetterRecord, unknown>>;
  return (
    typeof record.requestId === "string" &&
    typeof record.functionName === "string" &&
    DEAD_LETTER_REASONS.some((reason) => reason === record.reason) &&
    Array.isArray(record.attempts) &&
    "payload" in record
  );
}

export interface DeadLetterContents {
  readonly records: readonly DeadLetterRecord[];
  /** Line numbers (1-based) that are not a record; they are left in the file. */
  readonly unreadable: readonly number[];
}

/** The dead-letter files in one folder, one per function. */
export class DeadLetterStore {
  constructor(readonly dir: string) {}

  fileOf(functionName: string): string {
    return join(this.dir, `${functionName}.jsonl`);
  }

  append(record: DeadLetterRecord): void {
    mkdirSync(this.dir, { recursive: true });
    appendFileSync(this.fileOf(record.functionName), `${JSON.stringify(record)}\n`);
  }

  read(functionName: string): DeadLetterContents {
    const file = this.fileOf(functionName);
    if (!existsSync(file)) return { records: [], unreadable: [] };
    const records: DeadLetterRecord[] = [];
    const unreadable: number[] = [];
    for (const [index, line] of readFileSync(file, "utf8").split("\n").entries()) {
      if (line.trim() === "") continue;
      try {
        const parsed: unknown = JSON.parse(line);
        if (isRecord(parsed)) records.push(parsed);
        else unreadable.push(index + 1);
      } catch {
        unreadable.push(index + 1);
      }
    }
    return { records, unreadable };
  }

  /**
   * Takes the records of these request IDs out of the function's file (the rest, unreadable lines included, stay
   * as they are). The file is rewritten through a temporary file and a rename; an emptied file is deleted.
   */
  remove(functionName: string, requestIds: ReadonlySet<string>): number {
    const file = this.fileOf(functionName);
    if (requestIds.size === 0 || !existsSync(file)) return 0;
    let removed = 0;
    const kept = readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => {
        if (line.trim() === "") return false;
        try {
          const parsed: unknown = JSON.parse(line);
          if (isRecord(parsed) && requestIds.has(parsed.requestId)) {
            removed++;
            return false;
          }
        } catch {
          // Not a record: keep the line for the user to look at.
        }
        return true;
      });
    if (kept.length === 0) {
      rmSync(file, { force: true });
    } else {
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${kept.join("\n")}\n`);
      renameSync(temporary, file);
    }
    return removed;
  }
}

/** Where the Event queue writes its dead letters (a DeadLetterStore, or a stand-in in tests). */
export type DeadLetterSink = Pick<DeadLetterStore, "append" | "fileOf">;

/** Appends `record` and logs where; a record that cannot be written is logged whole rather than lost. */
export function writeDeadLetter(
  sink: DeadLetterSink,
  record: DeadLetterRecord,
  log: (line: string) => void,
): void {
  const { functionName, requestId, reason } = record;
  try {
    sink.append(record);
    log(
      `[invoke] ${functionName} Event ${requestId} dead-lettered (${reason}) to ${sink.fileOf(functionName)}`,
    );
  } catch (error) {
    log(
      `[invoke] ${functionName} Event ${requestId} dead-lettered (${reason}), but ` +
        `${sink.fileOf(functionName)} could not be written (${(error as Error).message}); the record: ${JSON.stringify(record)}`,
    );
  }
}

/**
 * The folder a function's dead letters go to by default: `.local/dead-letters` under its workspace root, or under
 * the function's own folder when it is not in a workspace.
 */
export function defaultDeadLetterDir(fn: FunctionDefinition): string {
  try {
    return join(findWorkspaceRoot(fn.dir), DEAD_LETTER_DIR);
  } catch {
    return join(fn.dir, DEAD_LETTER_DIR);
  }
}
