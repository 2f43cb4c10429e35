// fast-check arbitraries for checkout.test.ts: orders, and what a call of chargeCard may do.
import fc from "fast-check";
import { fails, succeeds, timesOut } from "otf/testing";
import type { Order } from "./checkout.ts";

export const arbOrder: fc.Arbitrary<Order> = fc.record({
  id: fc.uuid(),
  email: fc.emailAddress(),
  card: fc.constantFrom("4242 4242 4242 4242", "4000 0000 0000 0002"),
  items: fc.array(fc.record({ sku: fc.constantFrom("apple", "pear", "fig"), quantity: fc.integer({ min: 1, max: 5 }), price: fc.integer({ min: 1, max: 500 }) }), { minLength: 1, maxLength: 3 }),
});

/** What a call of chargeCard may do: charge, decline, fail at the gateway, time out. */
export const arbChargeOutcome = fc.oneof(
  succeeds(fc.record({ chargeId: fc.stringMatching(/^ch_[a-z0-9]{6}$/) })),
  fails(fc.constantFrom("card declined", "gateway unavailable")),
  timesOut(10_000),
);
