// Writes the golden checkpoints of spec/testing/checkpoints/ (run by hand, not by the suite):
// v1/ from the first version of the order workflow (compiled as if it still were order.ts),
// v2/ from the current one, and store/, a scheduler's directory store holding a run of it.
//   node_modules/.bin/node --conditions=otf-source --import ./transformer/register.ts spec/testing/checkpoints/regenerate.ts
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { settle, type Step, type Workflow } from "otf";
import { dumps } from "otf/pack";
import { Scheduler } from "otf/scheduler";
import { compile } from "otf/transformer";

const here = import.meta.dirname;
const root = join(here, "../../..");
const orderPath = join(here, "../workflows/order.ts");

async function writeCheckpoints(placeOrder: Workflow<[string, number], unknown>, folder: string): Promise<void> {
  rmSync(join(here, folder), { recursive: true, force: true });
  mkdirSync(join(here, folder), { recursive: true });
  let step: Step<unknown> = placeOrder.start("apple", 120);
  for (let n = 0; step.kind === "suspended"; n++) {
    writeFileSync(join(here, folder, `${n}.pack`), dumps(step, { indent: 2 }) + "\n");
    step = step.resume(await settle(step.awaiting));
  }
}

// Version 1, with its module URL that of order.ts, as it was when it lived there.
const v1 = compile(readFileSync(join(here, "order.v1.ts.txt"), "utf8"), orderPath, { projectRoot: root });
const v1File = join(root, "spec/.tmp/order.v1.mjs");
mkdirSync(join(root, "spec/.tmp"), { recursive: true });
writeFileSync(v1File, v1.code.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(orderPath).href)));
await writeCheckpoints((await import(pathToFileURL(v1File).href)).placeOrder, "v1");
rmSync(v1File);

const { placeOrder } = await import("../workflows/order.ts");
await writeCheckpoints(placeOrder, "v2");

rmSync(join(here, "store"), { recursive: true, force: true });
const scheduler = new Scheduler({ store: join(here, "store") });
try {
  await scheduler.run(placeOrder, "pear", 80);
} finally {
  await scheduler.close();
}
