// A user's test of the checkout workflow with otf/testing, under node:test (uvu, vitest or jest
// work the same: a failed check throws an AssertionError).
//   node_modules/.bin/node --conditions=otf-source --import ./transformer/register.ts --test examples/testing/checkout.test.ts
// In an app: node --import otf/register --test (or build with tspc and test the built files).
import { test } from "node:test";
import fc from "fast-check";
import { checkResumable } from "otf/testing";
import { arbChargeOutcome, arbOrder } from "./arbitraries.ts";
import { checkout } from "./checkout.ts";

test("checkout resumes identically at every await", () =>
  checkResumable(checkout, {
    args: fc.tuple(arbOrder),
    tasks: {
      chargeCard: arbChargeOutcome,
      // A stand-in function instead of generated outcomes; tasks not listed (sendReceipt, releaseStock) run for real.
      reserveStock: (sku: string, quantity: number) => `${sku}×${quantity}`,
    },
  }));

test("checkout resumes identically in a fresh worker thread at every await", () =>
  checkResumable(checkout, { args: fc.tuple(arbOrder), tasks: { chargeCard: arbChargeOutcome }, fresh: true, numRuns: 3 }));
