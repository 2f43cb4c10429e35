// Runs every spec file (`spec/**/*.spec.ts`) in its own process, two at a time,
// and ends with one line for the whole suite: `N passed, N failed`.
// A file that crashes before uvu prints its totals counts as one failure.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { availableParallelism } from "node:os";

const root = join(import.meta.dirname, "..");
const filter = process.argv[2];

function specFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name === "fixtures" || name === "golden" || name.startsWith(".")) continue;
    if (statSync(path).isDirectory()) found.push(...specFiles(path));
    else if (name.endsWith(".spec.ts")) found.push(path);
  }
  return found;
}

/** Node flags every spec process gets: the sources by their `.ts` paths, and the workflow loader hook. */
export const specNodeFlags = ["--conditions=otf-source", "--import", join(root, "transformer/register.ts")];

interface FileResult { file: string; passed: number; failed: number; output: string; }

function runFile(file: string): Promise<FileResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...specNodeFlags, file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (code) => {
      const total = [...output.matchAll(/Total:\s+(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
      const passed = [...output.matchAll(/Passed:\s+(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
      let failed = total - passed;
      // uvu exits non-zero on failure; a crash before any totals is a failure too.
      if (code !== 0 && failed === 0) failed = 1;
      resolve({ file: relative(root, file), passed, failed, output });
    });
  });
}

async function main(): Promise<void> {
  const files = specFiles(join(root, "spec")).filter((f) => !filter || f.includes(filter));
  const queue = [...files];
  const results: FileResult[] = [];
  const lanes = Math.max(1, Math.min(2, availableParallelism()));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const result = await runFile(file);
        results.push(result);
        const mark = result.failed ? "FAIL" : "ok  ";
        console.log(`${mark} ${result.file}  (${result.passed} passed, ${result.failed} failed)`);
        if (result.failed) console.log(result.output.replace(/^/gm, "     | "));
        // Figures a spec measured (fault counts, say) are shown even when it passes.
        else for (const [line] of result.output.matchAll(/figures: .*/g)) console.log(`     | ${line}`);
      }
    }),
  );
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

if (import.meta.main) await main();
