// `npm run bench [filter]`: runs every bench/*.ts (except this file) in its own process,
// one after another, so their timings do not disturb each other; each prints its table.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const dir = import.meta.dirname;
const filter = process.argv[2];
const files = readdirSync(dir)
  .filter((name) => name.endsWith(".ts") && name !== "run.ts" && (!filter || name.includes(filter)))
  .sort();

let failed = 0;
for (const name of files) {
  console.log(`\n== bench/${name}`);
  const result = spawnSync(process.execPath, ["--conditions=otf-source", "--import", join(dir, "../transformer/register.ts"), join(dir, name)], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
