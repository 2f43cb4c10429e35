// A short tour of pack: a snapshot-like value with a Map, a Date, a BigInt and a cycle,
// shown in the pretty text form, measured in the binary form, and loaded back with its
// shared references and cycle intact. Run: npx node --conditions=otf-source examples/pack-demo.ts
import { decode, dumps, encode, loads } from "../pack/index.ts";

const customer = { id: "c-17", name: "Ada", since: new Date(Date.UTC(2020, 4, 1)) };
const order: Record<string, unknown> = { id: 1042, customer, total: 19.98, reference: 123456789012345678901234567890n };
order.self = order; // a cycle
const snapshot = {
  workflow: { module: "shop/checkout.ts", name: "checkout" },
  resumePoint: "await#3:charge",
  locals: { order, customer, prices: new Map([["A-1", 9.99], ["B-2", 0.5]]), attempts: 0 },
};

const text = dumps(snapshot, { indent: 2 });
console.log(text);

const bytes = encode(snapshot);
console.log(`\nbinary form: ${bytes.length} bytes (pretty text: ${Buffer.byteLength(text)} bytes)`);

for (const [form, back] of [["text", loads(text)], ["binary", decode(bytes)]] as const) {
  const locals = (back as typeof snapshot).locals;
  const loadedOrder = locals.order as typeof order;
  console.log(`\nloaded from the ${form} form:`);
  console.log("  order.self === order:              ", loadedOrder.self === loadedOrder);
  console.log("  order.customer === locals.customer:", loadedOrder.customer === locals.customer);
  console.log("  customer.since is a Date:          ", (locals.customer as typeof customer).since instanceof Date);
  console.log("  prices.get(\"A-1\"):                 ", locals.prices.get("A-1"));
  console.log("  reference (a BigInt):              ", loadedOrder.reference);
}
