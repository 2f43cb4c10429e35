// Tasks that travel by name or by source: NamedReference, Environment, and resolving a task
// from its reference alone (as a worker does).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Environment, NamedReference, defer, resolveTask, settle, task, type TaskReference } from "otf";
import { decode, dumps, encode, loads } from "otf/pack";

test("a NamedReference packs by name and resolves to the module or its export", async () => {
  const ref = new NamedReference<(p: string) => string>("node:path", "basename");
  const back = loads(dumps(ref)) as NamedReference<(p: string) => string>;
  assert.instance(back, NamedReference);
  assert.is(back.toString(), "node:path#basename");
  assert.is((await back.resolve())("/a/b.txt"), "b.txt");
  const whole = decode(encode(new NamedReference("node:path"))) as NamedReference<{ sep: string }>;
  assert.is((await whole.resolve()).sep, "/");
  const missing = await new NamedReference("node:path", "nope").resolve().then(() => undefined, (e: Error) => e);
  assert.instance(missing, TypeError);
  assert.match(missing!.message, "node:path has no export named nope");
});

test("an environment's task carries its source and is rebuilt with exactly its names in scope", async () => {
  const env = new Environment({ path: new NamedReference("node:path"), suffix: "!" });
  const shout = env.task((file: string) => (path as { basename(p: string): string }).basename(file).toUpperCase() + suffix);
  const reference = decode(encode(shout.taskReference)) as TaskReference & { kind: "source" };
  assert.is(reference.kind, "source");
  // A fresh reference (as decoded in a worker) with a different digest is not the loaded task.
  const rebuilt = await resolveTask({ ...reference, digest: "rebuilt-here" });
  assert.is.not(rebuilt, shout);
  assert.is(await rebuilt("/tmp/notes.txt"), "NOTES.TXT!");
});

test("two anonymous on-the-fly tasks are different tasks", async () => {
  const a = task((n: number) => n + 1);
  const b = task((n: number) => n * 10);
  assert.is.not(JSON.stringify(a.taskReference), JSON.stringify(b.taskReference));
  assert.equal(await settle(defer(a, 1)), { kind: "value", value: 2 });
  assert.equal(await settle(defer(b, 1)), { kind: "value", value: 10 });
});

declare const path: unknown;
declare const suffix: string;

test.run();
