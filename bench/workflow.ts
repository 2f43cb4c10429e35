// Workflow benchmarks (issue #3), each against a baseline measured in the same run:
//  1. 1,000,000 awaits of already-settled futures in nested loops, in-process, vs the same
//     async function run natively (awaiting the same futures, and awaiting plain promises);
//  2. snapshot + resume with a binary pack round trip, 50 locals, vs v8.serialize of the locals;
//  3. building a generated project of 200 workflow modules with the otf plugin vs plain tsc: under
//     tspc (ts-patch's live mode, whose own cost is shown apart) and under a tsc patched in place
//     by `ts-patch install` (persistent mode).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as v8 from "node:v8";
import ts from "typescript";
import { settle, type Workflow } from "otf";
import { decode, encode } from "otf/pack";
import { compile } from "otf/transformer";

const root = join(import.meta.dirname, "..");
const work = join(root, "bench/.tmp");
const quick = process.argv.includes("--quick");

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(rounds: number, run: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return median(times);
}

const rows: string[][] = [["benchmark", "otf", "baseline", "ratio (otf / baseline)", "target"]];
const row = (name: string, ours: string, base: string, ratio: number, target: string) => rows.push([name, ours, base, `${ratio.toFixed(2)}x`, target]);

const loopSource = `
import { workflow, task, defer } from "otf";
export const ok = task((v: number) => v);
export const awaitFutures = workflow(async (outer: number, inner: number) => {
  let sum = 0;
  for (let i = 0; i < outer; i++) {
    for (let j = 0; j < inner; j++) sum += await defer(ok, j);
  }
  return sum;
});
export const awaitValues = workflow(async (outer: number, inner: number) => {
  let sum = 0;
  for (let i = 0; i < outer; i++) {
    for (let j = 0; j < inner; j++) sum += await j;
  }
  return sum;
});
export async function awaitPromises(outer: number, inner: number) {
  let sum = 0;
  for (let i = 0; i < outer; i++) {
    for (let j = 0; j < inner; j++) sum += await Promise.resolve(j);
  }
  return sum;
}
`;

async function load(name: string, code: string): Promise<Record<string, Workflow<[number, number], number> & ((o: number, i: number) => Promise<number>)>> {
  const path = join(work, name);
  writeFileSync(path, code);
  return import(pathToFileURL(path).href);
}

async function awaitLoop(): Promise<void> {
  const compiled = await load("loop-compiled.mjs", compile(loopSource, join(work, "loop.ts"), { sourceMap: false }).code);
  const native = await load("loop-native.mjs", ts.transpileModule(loopSource, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 } }).outputText);
  const [outer, inner] = quick ? [100, 1000] : [1000, 1000];
  const n = outer * inner;
  const rounds = quick ? 3 : 5;
  const ours = await timed(rounds, () => compiled.awaitFutures!(outer, inner));
  const nativeFutures = await timed(rounds, () => native.awaitFutures!(outer, inner));
  const nativePromises = await timed(rounds, () => native.awaitPromises!(outer, inner));
  const oursValues = await timed(rounds, () => compiled.awaitValues!(outer, inner));
  const nativeValues = await timed(rounds, () => native.awaitValues!(outer, inner));
  const ms = (t: number) => `${t.toFixed(0)} ms`;
  row(`${n.toLocaleString("en")} awaits of settled futures`, ms(ours), `${ms(nativeFutures)} native, same futures`, ours / nativeFutures, "≤ 1.5x");
  row(`  … vs native awaiting resolved promises`, ms(ours), `${ms(nativePromises)} native promises`, ours / nativePromises, "≤ 1.5x");
  row(`${n.toLocaleString("en")} awaits of plain values`, ms(oursValues), `${ms(nativeValues)} native`, oursValues / nativeValues, "≤ 1.5x");
}

const snapshotSource = `
import { workflow, task, defer } from "otf";
export const ok = task((v: number) => v);
export const fifty = workflow(async (seed: number) => {
${Array.from({ length: 50 }, (_, i) => `  let v${i} = ${i % 5 === 0 ? `{ id: seed + ${i}, name: "local ${i}", tags: ["a", "b"] }` : i % 5 === 1 ? `[seed, ${i}, ${i * 2}, ${i * 3}]` : i % 5 === 2 ? `"string value number ${i}"` : i % 5 === 3 ? `new Date(1700000000000 + ${i})` : `seed * ${i}.5`};`).join("\n")}
  for (let step = 0; step < 1e9; step++) {
    v0.id = await defer(ok, step);
  }
  return [${Array.from({ length: 50 }, (_, i) => `v${i}`).join(", ")}];
});
`;

async function snapshotResume(): Promise<void> {
  const module = (await load("snapshot-compiled.mjs", compile(snapshotSource, join(work, "snapshot.ts"), { sourceMap: false }).code)) as unknown as { fifty: Workflow<[number], unknown> };
  let step = module.fifty.start(1);
  if (step.kind !== "suspended") throw new Error("the snapshot workflow ended");
  const count = quick ? 2000 : 20000;
  const ours: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const outcome = (await settle(step.awaiting))!;
      const bytes = encode(step);
      const restored = decode(bytes) as typeof step;
      const next = restored.resume(outcome);
      if (next.kind !== "suspended") throw new Error("the snapshot workflow ended");
      step = next;
    }
    ours.push(((performance.now() - start) * 1000) / count);
  }
  const locals = step.locals;
  const base: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    for (let i = 0; i < count; i++) v8.deserialize(v8.serialize(locals));
    base.push(((performance.now() - start) * 1000) / count);
  }
  const us = (t: number) => `${t.toFixed(1)} µs`;
  row(`checkpoint: snapshot, encode, decode, resume (50 locals, ${encode(step).length} B)`, us(median(ours)), `${us(median(base))} v8 serialize+deserialize (${v8.serialize(locals).length} B)`, median(ours) / median(base), "µs per checkpoint");
}

function buildProject(modules: number): string {
  const dir = join(work, "project");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "src"), { recursive: true });
  for (let m = 0; m < modules; m++) {
    writeFileSync(
      join(dir, "src", `flow${m}.ts`),
      `import { workflow, task, defer } from "otf";
export const step${m} = task((n: number) => n + ${m});
export const flow${m} = workflow(async (items: number[], limit: number) => {
  const results: number[] = [];
  let total = 0;
  for (const item of items) {
    if (item > limit) continue;
    try {
      const value = await defer(step${m}, item);
      total += value;
      results.push(value * 2);
    } catch (error) {
      results.push(-1);
    } finally {
      total += 1;
    }
  }
  const extra = total > 10 ? await defer(step${m}, total) : 0;
  return { results, total: total + extra, label: \`flow ${m}: \${results.length}\` };
});
`,
    );
  }
  const config = (plugins: boolean) => ({
    compilerOptions: { target: "es2023", module: "nodenext", moduleResolution: "nodenext", strict: true, skipLibCheck: true, outDir: plugins ? "dist-otf" : "dist-tsc", rootDir: "src", ...(plugins ? { plugins: [{ transform: join(root, "dist/transformer/plugin.js") }] } : {}) },
    include: ["src"],
  });
  writeFileSync(join(dir, "tsconfig.otf.json"), JSON.stringify(config(true)));
  writeFileSync(join(dir, "tsconfig.tsc.json"), JSON.stringify(config(false)));
  return dir;
}

/**
 * A copy of TypeScript patched in place by `ts-patch install` (persistent mode): its own `tsc` runs
 * `compilerOptions.plugins`, without tspc's per-build cost of patching and compiling tsc in memory.
 */
function patchedTypeScript(): string {
  const copy = join(work, "patched/node_modules/typescript");
  cpSync(join(root, "node_modules/typescript"), copy, { recursive: true });
  execFileSync(process.execPath, [join(root, "node_modules/ts-patch/bin/ts-patch.js"), "install", "--silent", "--dir", copy], { stdio: "pipe" });
  return copy;
}

async function buildTime(): Promise<void> {
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.json")]);
  const dir = buildProject(200);
  const patchedTsc = join(patchedTypeScript(), "bin/tsc");
  const builds = {
    tsc: [join(root, "node_modules/typescript/bin/tsc"), "tsconfig.tsc.json"],
    tspc: [join(root, "node_modules/ts-patch/bin/tspc.js"), "tsconfig.tsc.json"],
    tspcPlugin: [join(root, "node_modules/ts-patch/bin/tspc.js"), "tsconfig.otf.json"],
    patched: [patchedTsc, "tsconfig.tsc.json"],
    patchedPlugin: [patchedTsc, "tsconfig.otf.json"],
  } as const;
  // Round by round, each build once, so a busy moment of the machine falls on all of them alike.
  const times = Object.fromEntries(Object.keys(builds).map((name) => [name, [] as number[]])) as Record<keyof typeof builds, number[]>;
  for (let round = 0; round < (quick ? 1 : 5); round++) {
    for (const [name, [bin, config]] of Object.entries(builds) as [keyof typeof builds, readonly [string, string]][]) {
      const start = performance.now();
      execFileSync(process.execPath, [bin, "-p", join(dir, config)], { stdio: "pipe" });
      times[name].push(performance.now() - start);
    }
  }
  const t = Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)])) as Record<keyof typeof builds, number>;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  row("build 200 workflow modules: tspc + otf plugin", s(t.tspcPlugin), `${s(t.tsc)} plain tsc`, t.tspcPlugin / t.tsc, "≤ 1.2x");
  row("  … tspc alone, no plugin (ts-patch's own cost)", s(t.tspc), `${s(t.tsc)} plain tsc`, t.tspc / t.tsc, "");
  row("  … tspc + otf plugin vs tspc alone (the plugin's share)", s(t.tspcPlugin), `${s(t.tspc)} tspc alone`, t.tspcPlugin / t.tspc, "");
  row("build: tsc patched by `ts-patch install` + otf plugin", s(t.patchedPlugin), `${s(t.tsc)} plain tsc`, t.patchedPlugin / t.tsc, "≤ 1.2x");
  row("  … patched tsc alone, no plugin", s(t.patched), `${s(t.tsc)} plain tsc`, t.patched / t.tsc, "");
}

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
await awaitLoop();
await snapshotResume();
await buildTime();
rmSync(work, { recursive: true, force: true });

const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log("\nbench/workflow (medians; ratio < 1 means otf is faster)");
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));
