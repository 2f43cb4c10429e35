// The fixture corpus: each `spec/fixtures/<construct>.ts` (and each regression fixture) runs
// natively, compiled straight through, resumed at every await after a pack round trip, and
// resumed in worker threads; all four must agree on the value or error, the log included.
import { test } from "uvu";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkProgram, removeWorkDir } from "../property/harness.ts";
import { ResumePool } from "otf/testing";

const fixtures = join(import.meta.dirname, "../fixtures");
const pool = new ResumePool({ size: 2 });

/** The fixture files: `fixtures/*.ts` and `fixtures/regressions/*.ts` (not the diagnostics). */
function fixtureFiles(): { name: string; path: string }[] {
  return ["", "regressions"].flatMap((sub) =>
    readdirSync(join(fixtures, sub))
      .filter((file) => file.endsWith(".ts"))
      .sort()
      .map((file) => ({ name: join(sub, file.slice(0, -3)), path: join(fixtures, sub, file) })),
  );
}

/** The fixture's opening comment, which says what it exercises. */
function description(source: string): string {
  const comment = /^\/\/ (.*)$/m.exec(source)?.[1] ?? "";
  return comment.replace(/[:.,;]$/, "");
}

for (const { name, path } of fixtureFiles()) {
  const source = readFileSync(path, "utf8");
  test(`${name}: ${description(source)}`, async () => {
    // Every await resumed in a worker too: a fresh thread with nothing but the encoded snapshot.
    await checkProgram(source, pool, () => true);
  });
}

test.after(async () => {
  await pool.close();
  removeWorkDir();
});

test.run();
