/** A DynamoDB stream record, with keys and images given as plain JSON and sent in DynamoDB's AttributeValue shape. */
import { arn, type EventContext } from "./context.js";

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> };

/** A plain JSON value as a DynamoDB AttributeValue: strings S, numbers N (as text), arrays L, objects M. */
export function toAttributeValue(value: unknown): AttributeValue {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === "string") return { S: value };
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`DynamoDB numbers must be finite (got ${value})`);
    return { N: String(value) };
  }
  if (typeof value === "boolean") return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toAttributeValue) };
  if (typeof value === "object") return { M: marshall(value as Record<string, unknown>) };
  throw new Error(`cannot store a ${typeof value} in DynamoDB`);
}

/** A plain JSON object as a DynamoDB item (a map of AttributeValues). */
export function marshall(item: Record<string, unknown>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, toAttributeValue(v)]));
}

export type StreamEventName = "INSERT" | "MODIFY" | "REMOVE";

export interface DynamoDBOptions {
  /** The item's key attributes ({"id": "101"} unless given). */
  keys?: Record<string, unknown> | undefined;
  /** The item after the change (INSERT, MODIFY); the keys are added to it. */
  newImage?: Record<string, unknown> | undefined;
  /** The item before the change (MODIFY, REMOVE); the keys are added to it. */
  oldImage?: Record<string, unknown> | undefined;
  /** INSERT unless given. */
  eventName?: StreamEventName | undefined;
  /** "my-table" unless given. */
  table?: string | undefined;
}

export const DEFAULT_KEYS = { id: "101" };
export const DEFAULT_NEW_IMAGE = { message: "New item!" };
export const DEFAULT_OLD_IMAGE = { message: "Old item!" };

/** A stream record of a table whose stream view type is NEW_AND_OLD_IMAGES. */
export function dynamoDBStreamEvent(
  ctx: EventContext,
  options: DynamoDBOptions = {},
): Record<string, unknown> {
  const eventName = options.eventName ?? "INSERT";
  const keys = options.keys ?? DEFAULT_KEYS;
  const table = options.table ?? "my-table";
  const streamLabel = new Date(Math.floor(ctx.now.getTime() / 86_400_000) * 86_400_000).toISOString();
  const change: Record<string, unknown> = {
    ApproximateCreationDateTime: Math.floor(ctx.now.getTime() / 1000),
    Keys: marshall(keys),
  };
  if (eventName !== "REMOVE")
    change.NewImage = marshall({ ...(options.newImage ?? DEFAULT_NEW_IMAGE), ...keys });
  if (eventName !== "INSERT")
    change.OldImage = marshall({ ...(options.oldImage ?? DEFAULT_OLD_IMAGE), ...keys });
  // Sequence numbers are 21+ digit decimals, growing with time.
  const sequence = `${Math.floor(ctx.now.getTime() / 1000)}${String(ctx.bytes(6).readUIntBE(0, 6)).padStart(15, "0")}`;
  change.SequenceNumber = sequence.slice(0, 21);
  change.SizeBytes = Buffer.byteLength(JSON.stringify([change.Keys, change.NewImage, change.OldImage]));
  change.StreamViewType = "NEW_AND_OLD_IMAGES";
  return {
    Records: [
      {
        eventID: ctx.bytes(16).toString("hex"),
        eventName,
        eventVersion: "1.1",
        eventSource: "aws:dynamodb",
        awsRegion: ctx.region,
        dynamodb: change,
        eventSourceARN: arn(ctx, "dynamodb", `table/${table}/stream/${streamLabel.replace(/Z$/, "")}`),
      },
    ],
  };
}
