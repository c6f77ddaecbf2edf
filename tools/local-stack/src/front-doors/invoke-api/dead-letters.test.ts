import { appendFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addTestFunction, createTestWorkspace } from "../../../test/support/test-workspace.js";
import {
  DEAD_LETTER_DIR,
  type DeadLetterRecord,
  DeadLetterStore,
  defaultDeadLetterDir,
  replayRequest,
} from "./dead-letters.js";

const record = (requestId: string, payload: unknown = { id: requestId }): DeadLetterRecord => ({
  reason: "retries-exhausted",
  functionName: "orders",
  requestId,
  errorType: "TypeError",
  errorMessage: "failed",
  attempts: [
    {
      startedAt: "2026-01-01T00:00:00.000Z",
      endedAt: "2026-01-01T00:00:00.010Z",
      errorType: "TypeError",
      errorMessage: "failed",
    },
  ],
  acceptedAt: "2026-01-01T00:00:00.000Z",
  deadLetteredAt: "2026-01-01T00:00:00.010Z",
  clientContext: '{"custom":{"a":1}}',
  payload,
});

describe("DeadLetterStore", () => {
  it("appends one JSON line per record to <dir>/<function>.jsonl and reads them back", () => {
    const store = new DeadLetterStore(join(mkdtempSync(join(tmpdir(), "dead-letters-")), "nested"));
    store.append(record("a"));
    store.append(record("b"));
    const file = store.fileOf("orders");
    expect(readFileSync(file, "utf8").split("\n")).toHaveLength(3);
    expect(store.read("orders")).toEqual({ records: [record("a"), record("b")], unreadable: [] });
    expect(store.read("nobody")).toEqual({ records: [], unreadable: [] });
  });

  it("removes records by request ID, keeps lines it cannot read, and deletes an emptied file", () => {
    const store = new DeadLetterStore(mkdtempSync(join(tmpdir(), "dead-letters-")));
    store.append(record("a"));
    appendFileSync(store.fileOf("orders"), "not a record\n");
    store.append(record("b"));
    expect(store.read("orders").unreadable).toEqual([2]);
    expect(store.remove("orders", new Set(["a", "zzz"]))).toBe(1);
    expect(readFileSync(store.fileOf("orders"), "utf8")).toBe(
      `not a record\n${JSON.stringify(record("b"))}\n`,
    );
    store.remove("orders", new Set(["b"]));
    expect(store.read("orders")).toEqual({ records: [], unreadable: [1] });

    const empty = new DeadLetterStore(mkdtempSync(join(tmpdir(), "dead-letters-")));
    empty.append(record("c"));
    empty.remove("orders", new Set(["c"]));
    expect(existsSync(empty.fileOf("orders"))).toBe(false);
  });

  it("replays a record with its event, client context, trace and tenant", () => {
    const request = replayRequest({ ...record("a", { n: [1, "two"] }), traceId: "Root=1-x", tenantId: "t1" });
    expect(JSON.parse(request.payload.toString())).toEqual({ n: [1, "two"] });
    expect(request).toMatchObject({
      clientContext: '{"custom":{"a":1}}',
      traceId: "Root=1-x",
      tenantId: "t1",
    });
    expect(request).not.toHaveProperty("requestId");
  });

  it("puts the record under the workspace root of the function by default", () => {
    const root = createTestWorkspace("dead-letter-root-");
    const fn = addTestFunction(root, { name: "placed" });
    expect(defaultDeadLetterDir(fn)).toBe(join(root, DEAD_LETTER_DIR));
  });
});
