/**
 * The pure core of the orders worker: no Lambda, no SQS, no I/O. It reads one message body as an order, says
 * exactly what is wrong with it when it is not one, and prices it. The handler only feeds it SQS records.
 */
import { z } from "zod";

export const CURRENCIES = ["EUR", "GBP", "USD"] as const;
export const MAX_ITEMS = 100;
export const MAX_QUANTITY = 1_000;

const orderItemSchema = z.strictObject({
  sku: z.string().regex(/^[A-Z0-9][A-Z0-9-]{2,31}$/, "must be 3-32 upper-case letters, digits or '-'"),
  quantity: z.number().int().min(1).max(MAX_QUANTITY),
  /** Price of one unit in the currency's minor unit (cents, pence), so no floating-point money. */
  unitPriceCents: z.number().int().min(0).max(10_000_000),
});

/** One order message, as producers put it on the queue (JSON in the SQS message body). */
export const orderSchema = z.strictObject({
  orderId: z
    .string()
    .regex(/^ord_[A-Za-z0-9]{6,32}$/, 'must look like "ord_" followed by 6-32 letters or digits'),
  customerId: z.string().min(1).max(64),
  currency: z.enum(CURRENCIES),
  items: z.array(orderItemSchema).min(1).max(MAX_ITEMS),
});

export type Order = z.output<typeof orderSchema>;

export interface PricedOrder {
  readonly orderId: string;
  readonly customerId: string;
  readonly currency: Order["currency"];
  /** Sum of all quantities. */
  readonly units: number;
  readonly totalCents: number;
}

export type ParseResult =
  | { readonly ok: true; readonly order: Order }
  | { readonly ok: false; readonly error: string };

/** Reads a message body as an order; a failure says every problem, each with the field it is about. */
export function parseOrder(body: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, error: `The message body is not JSON (${(error as Error).message}).` };
  }
  const parsed = orderSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "the order";
      return `${where}: ${issue.message}`;
    });
    return { ok: false, error: `The message is not a valid order: ${problems.join("; ")}.` };
  }
  return { ok: true, order: parsed.data };
}

/** The order's total and unit count. */
export function priceOrder(order: Order): PricedOrder {
  let units = 0;
  let totalCents = 0;
  for (const item of order.items) {
    units += item.quantity;
    totalCents += item.quantity * item.unitPriceCents;
  }
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    currency: order.currency,
    units,
    totalCents,
  };
}
