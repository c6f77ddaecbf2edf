/** EventBridge events: a custom event on a bus, and a scheduled rule's "Scheduled Event". */
import { arn, type EventContext, isoSeconds, uuid } from "./context.js";

export interface EventBridgeOptions {
  /** "com.example.orders" unless given. */
  source?: string | undefined;
  /** "Order Placed" unless given. */
  detailType?: string | undefined;
  /** The event's detail (an object; a sample order unless given). */
  detail?: unknown;
  /** ARNs of the resources the event is about (none unless given). */
  resources?: readonly string[] | undefined;
}

export const DEFAULT_DETAIL = { orderId: "1001", amount: 42.5, currency: "EUR" };

export function eventBridgeEvent(
  ctx: EventContext,
  options: EventBridgeOptions = {},
): Record<string, unknown> {
  return {
    version: "0",
    id: uuid(ctx),
    "detail-type": options.detailType ?? "Order Placed",
    source: options.source ?? "com.example.orders",
    account: ctx.accountId,
    time: isoSeconds(ctx.now),
    region: ctx.region,
    resources: [...(options.resources ?? [])],
    detail: options.detail ?? DEFAULT_DETAIL,
  };
}

export interface ScheduleOptions {
  /** The rule's name ("my-schedule" unless given). */
  rule?: string | undefined;
}

/** What an EventBridge schedule rule (rate or cron) sends: on the minute, with the rule as its resource. */
export function scheduledEvent(ctx: EventContext, options: ScheduleOptions = {}): Record<string, unknown> {
  const onTheMinute = new Date(Math.floor(ctx.now.getTime() / 60_000) * 60_000);
  return {
    version: "0",
    id: uuid(ctx),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: ctx.accountId,
    time: isoSeconds(onTheMinute),
    region: ctx.region,
    resources: [arn(ctx, "events", `rule/${options.rule ?? "my-schedule"}`)],
    detail: {},
  };
}
