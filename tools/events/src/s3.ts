/** An S3 event notification, as a bucket's notification configuration delivers it to a function. */
import { createHash } from "node:crypto";
import { type EventContext, hex, iamId, pick, sourceIp } from "./context.js";

/** The event names S3 notifications carry (without the "s3:" prefix the notification configuration uses). */
export const S3_EVENT_NAMES = [
  "ObjectCreated:Put",
  "ObjectCreated:Post",
  "ObjectCreated:Copy",
  "ObjectCreated:CompleteMultipartUpload",
  "ObjectRemoved:Delete",
  "ObjectRemoved:DeleteMarkerCreated",
  "ObjectRestore:Post",
  "ObjectRestore:Completed",
  "ObjectRestore:Delete",
  "ObjectTagging:Put",
  "ObjectTagging:Delete",
  "ObjectAcl:Put",
  "LifecycleExpiration:Delete",
  "LifecycleExpiration:DeleteMarkerCreated",
  "LifecycleTransition",
  "IntelligentTiering",
  "ReducedRedundancyLostObject",
] as const;

export interface S3Options {
  /** "my-bucket" unless given. */
  bucket?: string | undefined;
  /** The object's key, not encoded ("uploads/photo.jpg" unless given). */
  key?: string | undefined;
  /** One of S3_EVENT_NAMES, with or without "s3:" ("ObjectCreated:Put" unless given). */
  eventName?: string | undefined;
  /** The object's size in bytes, for events that carry one (1024 unless given). */
  size?: number | undefined;
}

/** The event name without "s3:", or undefined when S3 has no such event. */
export function s3EventName(name: string): string | undefined {
  const bare = name.replace(/^s3:/, "");
  return (S3_EVENT_NAMES as readonly string[]).includes(bare) ? bare : undefined;
}

/** Keys in S3 notifications are URL-encoded as in a form: spaces as "+", slashes kept. */
export const encodeS3Key = (key: string): string =>
  encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");

export function s3Event(ctx: EventContext, options: S3Options = {}): Record<string, unknown> {
  const eventName = s3EventName(options.eventName ?? "ObjectCreated:Put");
  if (eventName === undefined) throw new Error(`unknown S3 event name "${options.eventName}"`);
  const bucket = options.bucket ?? "my-bucket";
  const key = options.key ?? "uploads/photo.jpg";
  const removed = eventName.startsWith("ObjectRemoved") || eventName.startsWith("LifecycleExpiration");
  const size = options.size ?? 1024;
  const object: Record<string, unknown> = { key: encodeS3Key(key) };
  if (!removed) {
    object.size = size;
    object.eTag = createHash("md5").update(`${bucket}/${key}:${size}`).digest("hex");
  }
  object.sequencer = hex(ctx, 18).toUpperCase();
  const owner = pick(ctx, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 14);
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: ctx.region,
        eventTime: ctx.now.toISOString(),
        eventName,
        userIdentity: { principalId: `AWS:${iamId(ctx)}` },
        requestParameters: { sourceIPAddress: sourceIp(ctx) },
        responseElements: {
          "x-amz-request-id": hex(ctx, 16).toUpperCase(),
          "x-amz-id-2": ctx.bytes(56).toString("base64"),
        },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "lambda-notification",
          bucket: { name: bucket, ownerIdentity: { principalId: owner }, arn: `arn:aws:s3:::${bucket}` },
          object,
        },
      },
    ],
  };
}
