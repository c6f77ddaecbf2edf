import { describe, expect, it } from "vitest";
import { MAX_ITEMS, MAX_QUANTITY, type Order, type ParseResult, parseOrder, priceOrder } from "./order.js";

const validOrder = (): Order => ({
  orderId: "ord_7Hq2Xk9P",
  customerId: "cus_1042",
  currency: "EUR",
  items: [
    { sku: "MUG-BLUE", quantity: 2, unitPriceCents: 1250 },
    { sku: "TEE-M-BLACK", quantity: 1, unitPriceCents: 2400 },
  ],
});

function errorOf(result: ParseResult): string {
  if (result.ok) throw new Error(`expected a failure, got order ${result.order.orderId}`);
  return result.error;
}

describe("parseOrder", () => {
  it("reads a valid order exactly as sent", () => {
    expect(parseOrder(JSON.stringify(validOrder()))).toEqual({ ok: true, order: validOrder() });
  });

  it("says when the body is not JSON", () => {
    for (const body of ["", "not json", '{"orderId":"ord_123456",']) {
      expect(errorOf(parseOrder(body))).toMatch(/^The message body is not JSON \(.+\)\.$/);
    }
  });

  it("says when the JSON is not an object", () => {
    for (const body of ["null", "42", '"ord_7Hq2Xk9P"', "[]"]) {
      expect(errorOf(parseOrder(body))).toMatch(/^The message is not a valid order: the order: /);
    }
  });

  it("names every field that is wrong, in one message", () => {
    const order = {
      ...validOrder(),
      orderId: "7Hq2Xk9P",
      currency: "JPY",
      items: [{ sku: "mug", quantity: 0, unitPriceCents: 12.5 }],
    };
    const error = errorOf(parseOrder(JSON.stringify(order)));
    expect(error).toMatch(/^The message is not a valid order: /);
    expect(error).toContain('orderId: must look like "ord_" followed by 6-32 letters or digits');
    expect(error).toMatch(/currency: .*"EUR"\|"GBP"\|"USD"/);
    expect(error).toContain("items.0.sku: must be 3-32 upper-case letters, digits or '-'");
    expect(error).toMatch(/items\.0\.quantity: .*>=1/);
    expect(error).toMatch(/items\.0\.unitPriceCents: .*int/i);
  });

  it("refuses missing fields and unknown ones", () => {
    const { customerId: _dropped, ...withoutCustomer } = validOrder();
    expect(errorOf(parseOrder(JSON.stringify(withoutCustomer)))).toMatch(/customerId: /);
    expect(errorOf(parseOrder(JSON.stringify({ ...validOrder(), coupon: "FREE" })))).toMatch(/coupon/);
  });

  it(`needs 1 to ${MAX_ITEMS} items of 1 to ${MAX_QUANTITY} units each`, () => {
    const item = { sku: "MUG-BLUE", quantity: MAX_QUANTITY, unitPriceCents: 1 };
    expect(parseOrder(JSON.stringify({ ...validOrder(), items: Array(MAX_ITEMS).fill(item) })).ok).toBe(true);
    expect(errorOf(parseOrder(JSON.stringify({ ...validOrder(), items: [] })))).toMatch(/items: .*>=1/);
    expect(
      errorOf(parseOrder(JSON.stringify({ ...validOrder(), items: Array(MAX_ITEMS + 1).fill(item) }))),
    ).toMatch(/items: .*<=100/);
    expect(
      errorOf(
        parseOrder(JSON.stringify({ ...validOrder(), items: [{ ...item, quantity: MAX_QUANTITY + 1 }] })),
      ),
    ).toMatch(/items\.0\.quantity: .*<=1000/);
  });
});

describe("priceOrder", () => {
  it("adds up units and the total in minor units", () => {
    expect(priceOrder(validOrder())).toEqual({
      orderId: "ord_7Hq2Xk9P",
      customerId: "cus_1042",
      currency: "EUR",
      units: 3,
      totalCents: 2 * 1250 + 2400,
    });
  });

  it("keeps free items in the unit count", () => {
    const order: Order = { ...validOrder(), items: [{ sku: "ADAPTER-EU", quantity: 4, unitPriceCents: 0 }] };
    expect(priceOrder(order)).toMatchObject({ units: 4, totalCents: 0 });
  });

  it("stays exact for the largest order the schema allows", () => {
    const item = { sku: "GOLD-BAR", quantity: MAX_QUANTITY, unitPriceCents: 10_000_000 };
    const total = priceOrder({ ...validOrder(), items: Array(MAX_ITEMS).fill(item) }).totalCents;
    expect(total).toBe(MAX_ITEMS * MAX_QUANTITY * 10_000_000);
    expect(Number.isSafeInteger(total)).toBe(true);
  });
});
