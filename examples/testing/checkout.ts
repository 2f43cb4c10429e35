// A checkout workflow: reserve the items, charge the card (retrying when the gateway fails or
// times out, giving up on a declined card), then send a receipt or release the stock.
// Its resumability is tested in checkout.test.ts with otf/testing.
import { defer, task, workflow } from "otf";

export interface Order {
  readonly id: string;
  readonly email: string;
  readonly card: string;
  readonly items: readonly { readonly sku: string; readonly quantity: number; readonly price: number }[];
}

export const reserveStock = task((sku: string, quantity: number): string => `${sku}×${quantity}`);
export const releaseStock = task((reservation: string): boolean => reservation.length > 0);
export const chargeCard = task((card: string, amount: number): { chargeId: string } => {
  throw new Error(`no payment provider configured (card ${card}, amount ${amount})`);
});
export const sendReceipt = task((email: string, chargeId: string): boolean => email.includes("@") && chargeId.length > 0);

export const checkout = workflow(async (order: Order) => {
  const total = order.items.reduce((sum, item) => sum + item.quantity * item.price, 0);
  const reservations = await Promise.all(order.items.map((item) => defer(reserveStock, item.sku, item.quantity)));
  let attempts = 0;
  let failure = "";
  while (attempts < 3) {
    attempts++;
    try {
      const charge = await defer(chargeCard, order.card, total);
      await defer(sendReceipt, order.email, charge.chargeId);
      return { status: "paid", order: order.id, chargeId: charge.chargeId, total, attempts };
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      if (failure === "card declined") break;
    }
  }
  for (const reservation of reservations) await defer(releaseStock, reservation);
  return { status: "failed", order: order.id, reason: failure, attempts };
});
