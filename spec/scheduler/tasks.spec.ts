// Tasks under the scheduler: retries by policy, timeouts that stop a stuck worker, and errors
// carried back with their stack and cause, failing the future and never the scheduler.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Scheduler } from "otf/scheduler";
import { failing, retrying, timingOut } from "./fixtures/workflows.ts";

const dir = mkdtempSync(join(tmpdir(), "otf-tasks-"));
const scheduler = new Scheduler({ store: join(dir, "store"), executor: undefined });

test("a task that fails twice succeeds on its third attempt, each attempt run once", async () => {
  const counter = join(dir, "flaky-2");
  const trace = await scheduler.run(retrying, counter, 2);
  assert.is(trace.value, "ok");
  assert.is(readFileSync(counter, "utf8"), "3");
});

test("a task that fails more often than its attempts fails its future, which the workflow catches", async () => {
  const counter = join(dir, "flaky-5");
  const trace = await scheduler.run(retrying, counter, 5);
  assert.is(trace.value, "gave up: flaky failure 3");
  assert.is(readFileSync(counter, "utf8"), "3");
});

test("a task stuck in a loop times out on each attempt and the pool goes on with other tasks", async () => {
  const started = Date.now();
  const trace = await scheduler.run(timingOut);
  assert.equal(trace.value, { caught: "TaskTimeoutError: task hang timed out after 300 ms (attempt 2 of 2)", after: 49 });
  // The value proves both attempts timed out; this only guards against a hang (a worker starting
  // under load takes seconds, so it is no speed check: speed is bench/'s business).
  assert.ok(Date.now() - started < 60_000, "two attempts of 300 ms and a backoff, not forever");
});

test("an uncaught task error fails the run with the task's message, stack and cause", async () => {
  const trace = await scheduler.run(failing, "acme");
  assert.is(trace.status, "failed");
  const error = trace.error as Error & { cause: Error };
  assert.instance(error, Error);
  assert.is(error.name, "LedgerError");
  assert.is(error.message, "cannot settle acme");
  assert.match(error.stack!, /workflows\.ts:\d+/, "the stack points into the task's source");
  assert.instance(error.cause, RangeError);
  assert.is(error.cause.message, "balance of acme is negative");
  assert.is(trace.checkpoints.length, 1);
  assert.is(trace.checkpoints[0]!.outcome?.kind, "error");
});

test("the scheduler keeps working after failed runs", async () => {
  const trace = await scheduler.run(retrying, join(dir, "flaky-0"), 0);
  assert.is(trace.value, "ok");
});

test.after(async () => {
  await scheduler.close();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
