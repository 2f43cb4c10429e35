// Workflows with the mistakes otf/testing must catch, one per export (see spec/testing/check-resumable.spec.ts).
import { defer, task, workflow } from "otf";

export const lookup = task((key: string): number => key.length);
export const send = task((message: string): boolean => message.length > 0);

// A counter in module scope: every run starts where the last one left off.
let runs = 0;
export const countsRuns = workflow(async (key: string) => {
  runs++;
  const found = await defer(lookup, key);
  return { found, run: runs };
});

// A cache in module scope, filled in one step and read in a later one: only a fresh process shows it.
const cache = new Map<string, number>();
export const cachesInModule = workflow(async (key: string) => {
  cache.set(key, await defer(lookup, key));
  await defer(send, `looked up ${key}`);
  return cache.get(key) ?? "missing";
});

// An object shared with module scope, compared by identity after an await.
const defaults = { currency: "EUR", retries: 2 };
export const comparesIdentity = workflow(async (currency: string | undefined) => {
  const settings = currency === undefined ? defaults : { ...defaults, currency };
  await defer(send, `charging in ${settings.currency}`);
  return settings === defaults ? "defaults" : "custom";
});

// A plain Promise started before an await and awaited after it.
const audit = (key: string) => new Promise<string>((resolve) => setTimeout(() => resolve(`audited ${key}`), 1));
export const awaitsPromiseLater = workflow(async (key: string) => {
  const audited = audit(key);
  const found = await defer(lookup, key);
  return { found, audit: await audited };
});

// A local that only this process has (a class pack does not know) live across an await.
class Connection {
  readonly opened = Date.now();
  send(message: string): boolean { return message.length > 0; }
}
export const holdsConnection = workflow(async (key: string) => {
  const connection = new Connection();
  const found = await defer(lookup, key);
  return connection.send(`found ${found}`);
});

// The same mistake deeper inside a local: the report gives the path to it.
export const holdsNestedConnection = workflow(async (key: string) => {
  const session = { user: key, connections: [new Connection()] };
  const found = await defer(lookup, key);
  return session.connections[0]!.send(`found ${found}`);
});

// Not a mistake under the check: it gives every run the same Math.random and clock.
export const usesRandomAndClock = workflow(async (key: string) => {
  const nonce = Math.random();
  const started = new Date();
  const found = await defer(lookup, key);
  return { key, found, nonce, late: Math.random(), started, now: Date.now() };
});
