// The README's walkthrough "fix the code, resume from the middle". This workflow has a bug on
// purpose: an item no longer sold has no price, and the line for it throws.
//   otf run examples/invoice.ts invoice '"ada"' '["apple","bread","kiwi","milk"]'
import { defer, task, workflow } from "otf";

const prices: Record<string, number> = { apple: 0.5, bread: 2.25, cheese: 7.8, milk: 1.1 };

/** The price of one item (a slow lookup in real life); undefined when it is no longer sold. */
export const price = task((item: string): number => prices[item]!);

/** Charges the customer; gives the receipt's number. */
export const charge = task((customer: string, cents: number): string => `${customer}-${cents}`);

export const invoice = workflow(async (customer: string, items: string[]) => {
  const lines: string[] = [];
  let cents = 0;
  for (const item of items) {
    const each = await defer(price, item);
    lines.push(`${item} ${each.toFixed(2)}`);
    cents += Math.round(each * 100);
  }
  const receipt = await defer(charge, customer, cents);
  return { receipt, lines, total: cents / 100 };
});
