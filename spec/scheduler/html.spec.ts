// `otf trace --html`: the page opened in headless Chromium, checked for what a person sees — a step
// per checkpoint with the await's line marked, the locals, what it awaited, and the result last.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { traceHtml, readTrace, Scheduler } from "otf/scheduler";
import { getPrimes } from "../../examples/primes.ts";

const dir = mkdtempSync(join(tmpdir(), "otf-html-"));
const page = join(dir, "trace.html");

test("the trace page shows each checkpoint, its marked await line, locals and awaited value, then the result", async () => {
  const scheduler = new Scheduler({ store: join(dir, "store") });
  const trace = await scheduler.run(getPrimes, [7, 8, 9, 11]);
  await scheduler.close();
  execFileSync(process.execPath, [join(import.meta.dirname, "../../scheduler/bin.js"), "--store", join(dir, "store"), "trace", trace.runId, "--html", page]);

  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"] });
  try {
    const tab = await browser.newPage();
    await tab.goto(pathToFileURL(page).href);
    assert.is(await tab.title(), `otf run ${trace.runId}`);
    const steps = tab.locator("section.step");
    assert.is(await steps.count(), 4);
    const third = steps.nth(2);
    assert.match(await third.locator("h2").innerText(), /Checkpoint 2 · line 20/);
    const marked = third.locator(".line.await");
    assert.is(await marked.count(), 1, "one marked line per step");
    assert.match(await marked.innerText(), /20\s*const ok = await futures\.pop\(\)!;/);
    assert.ok(await marked.isVisible());
    const background = await marked.evaluate((e) => getComputedStyle(e).backgroundColor);
    const plain = await third.locator(".line:not(.await)").first().evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.is.not(background, plain, "the await line stands out");
    assert.ok(await third.locator(".hljs-keyword").count(), "the source is highlighted");
    const locals = Object.fromEntries(
      await third.locator("table.locals tbody tr").evaluateAll((rows) => rows.map((r) => [r.querySelector("th")!.textContent, r.querySelector("td")!.textContent])),
    );
    assert.is(locals.primes, "[11]");
    assert.is(locals.candidate, "8");
    assert.is(await third.locator(".awaited").innerText(), "Awaited isPrime(8) → false");
    const last = tab.locator("body > section").last();
    assert.is(await last.getAttribute("id"), "result");
    assert.match(await last.innerText(), /Result: completed\s+\[11, 7\]/);
  } finally {
    await browser.close();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
