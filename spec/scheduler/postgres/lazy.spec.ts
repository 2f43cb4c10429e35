// otf/scheduler does not load pg or pg-boss for a program that does not use PostgreSQL: they are
// imported by `PostgresBackend.connect`. Checked in a fresh process, whose module loads are recorded.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { specNodeFlags } from "../../run.ts";

const probe = `
  import { registerHooks } from "node:module";
  const loaded = [];
  registerHooks({ resolve: (specifier, context, next) => { const found = next(specifier, context); loaded.push(found.url); return found; } });
  const scheduler = await import("otf/scheduler");
  if (typeof scheduler.PostgresBackend.connect !== "function") throw new Error("no PostgresBackend");
  await new scheduler.Scheduler({ store: false }).close();
  console.log(JSON.stringify(loaded.filter((url) => /node_modules\\/(pg|pg-boss|pg-pool)\\//.test(url))));
`;

test("importing otf/scheduler and running a Scheduler loads neither pg nor pg-boss", () => {
  const result = spawnSync(process.execPath, [...specNodeFlags, "--input-type=module", "-e", probe], { cwd: join(import.meta.dirname, "../../.."), encoding: "utf8" });
  assert.is(result.status, 0, result.stderr);
  assert.equal(JSON.parse(result.stdout), []);
});

test.run();
