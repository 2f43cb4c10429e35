// An order workflow after an edit (its first version is spec/testing/checkpoints/order.v1.ts.txt):
// a discount computed up front, charged instead of the amount. Checkpoints of both versions are
// in spec/testing/checkpoints/.
import { defer, task, workflow } from "otf";

export const reserve = task((sku: string) => `reservation of ${sku}`);
export const charge = task((amount: number) => `receipt for ${amount}`);
export const ship = task((reservation: string) => `tracking for ${reservation}`);

export const placeOrder = workflow(async (sku: string, amount: number) => {
  const total = amount > 100 ? amount * 0.9 : amount;
  const reservation = await defer(reserve, sku);
  const receipt = await defer(charge, total);
  return { reservation, receipt, tracking: await defer(ship, reservation) };
});
