/** Queue and topic deliveries: an SQS batch and an SNS notification. */
import { createHash } from "node:crypto";
import { arn, type EventContext, hex, iamId, uuid } from "./context.js";

export interface SqsOptions {
  /** One record per body, in order; one sample JSON body when none is given. */
  bodies?: readonly string[] | undefined;
  /** The queue's name ("my-queue" unless given). */
  queue?: string | undefined;
}

export const DEFAULT_SQS_BODY = JSON.stringify({ message: "Hello from SQS!" });

/** The MD5 of a message body, hex: what SQS reports as `md5OfBody` (over the body's UTF-8 bytes). */
export const md5OfBody = (body: string): string => createHash("md5").update(body, "utf8").digest("hex");

/** An SQS event source mapping's batch: one record per body, sent a second apart, received once. */
export function sqsEvent(ctx: EventContext, options: SqsOptions = {}): Record<string, unknown> {
  const queue = options.queue ?? "my-queue";
  const bodies = options.bodies && options.bodies.length > 0 ? options.bodies : [DEFAULT_SQS_BODY];
  const senderId = iamId(ctx);
  const Records = bodies.map((body, i) => {
    const sent = ctx.now.getTime() - (bodies.length - i) * 1000;
    return {
      messageId: uuid(ctx),
      receiptHandle: `AQEB${ctx.bytes(96).toString("base64")}`,
      body,
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: String(sent),
        SenderId: senderId,
        ApproximateFirstReceiveTimestamp: String(ctx.now.getTime()),
      },
      messageAttributes: {},
      md5OfBody: md5OfBody(body),
      eventSource: "aws:sqs",
      eventSourceARN: arn(ctx, "sqs", queue),
      awsRegion: ctx.region,
    };
  });
  return { Records };
}

export interface SnsOptions {
  /** The notification's message ("Hello from SNS!" unless given). */
  message?: string | undefined;
  /** The subject, when the publisher set one. */
  subject?: string | undefined;
  /** The topic's name ("my-topic" unless given). */
  topic?: string | undefined;
}

/** An SNS notification delivered to a subscribed function. */
export function snsEvent(ctx: EventContext, options: SnsOptions = {}): Record<string, unknown> {
  const topicArn = arn(ctx, "sns", options.topic ?? "my-topic");
  const subscriptionArn = `${topicArn}:${uuid(ctx)}`;
  return {
    Records: [
      {
        EventVersion: "1.0",
        EventSubscriptionArn: subscriptionArn,
        EventSource: "aws:sns",
        Sns: {
          SignatureVersion: "1",
          Timestamp: ctx.now.toISOString(),
          Signature: ctx.bytes(256).toString("base64"),
          SigningCertUrl: `https://sns.${ctx.region}.amazonaws.com/SimpleNotificationService-${hex(ctx, 32)}.pem`,
          MessageId: uuid(ctx),
          Message: options.message ?? "Hello from SNS!",
          MessageAttributes: {},
          Type: "Notification",
          UnsubscribeUrl: `https://sns.${ctx.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
          TopicArn: topicArn,
          Subject: options.subject ?? null,
        },
      },
    ],
  };
}
