// `otf trace <run> --html`: one self-contained page, a step per checkpoint (highlighted source with
// the await's line marked, the locals, what it awaited and how that ended), the result last.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import hljs from "highlight.js/lib/core";
import typescript from "highlight.js/lib/languages/typescript";
import { describeAwaited, describeError, describeOutcome, show, sourceAround } from "./describe.ts";
import type { FinishRecord, RunRecord } from "./store.ts";
import type { Checkpoint } from "./trace.ts";

hljs.registerLanguage("typescript", typescript);

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const PAGE_STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
.meta { color: #59636e; }
.step, .result { border: 1px solid #d1d9e0; border-radius: 6px; padding: 1rem; margin: 1rem 0; }
pre.source { background: #f6f8fa; padding: .5rem 0; overflow-x: auto; margin: 0 0 .75rem; }
pre.source .line { display: block; padding: 0 .75rem; }
pre.source .line.await { background: #fff1b8; border-left: 4px solid #d4a72c; padding-left: calc(.75rem - 4px); }
pre.source .number { display: inline-block; width: 3.5ch; color: #8c959f; user-select: none; }
table.locals { border-collapse: collapse; margin-bottom: .75rem; }
table.locals th, table.locals td { border: 1px solid #d1d9e0; padding: .2rem .6rem; text-align: left; vertical-align: top; font-family: ui-monospace, monospace; font-size: 13px; }
.awaited code, .result pre { font-family: ui-monospace, monospace; }
.failed { color: #cf222e; } .completed { color: #1a7f37; }
`;

function sourceBlock(module: string, line: number): string {
  const lines = sourceAround(module, line);
  if (!lines.length) return `<p class="meta">(source file not found: ${escape(module)})</p>`;
  const body = lines
    .map((l) => `<span class="line${l.marked ? " await" : ""}" data-line="${l.number}"><span class="number">${l.number}</span>${hljs.highlight(l.text, { language: "typescript", ignoreIllegals: true }).value}</span>`)
    .join("");
  return `<pre class="source"><code class="hljs language-typescript">${body}</code></pre>`;
}

function step(run: RunRecord, checkpoint: Checkpoint): string {
  const { suspension } = checkpoint;
  // Locals the code no longer reads here (a block's variable from an earlier iteration) are left out.
  const locals = Object.entries(suspension.liveLocals)
    .map(([name, value]) => `<tr><th>${escape(name)}</th><td>${escape(show(value, 400))}</td></tr>`)
    .join("");
  return `<section class="step" id="checkpoint-${checkpoint.index}">
<h2>Checkpoint ${checkpoint.index} · line ${suspension.line} · <code>${escape(suspension.resumePoint)}</code></h2>
<p class="meta">suspended ${checkpoint.at.toISOString()}${checkpoint.resumedAt ? `, resumed ${checkpoint.resumedAt.toISOString()}` : ""}</p>
${sourceBlock(run.module, suspension.line)}
<table class="locals"><thead><tr><th>local</th><th>value</th></tr></thead><tbody>${locals || '<tr><td colspan="2">(none)</td></tr>'}</tbody></table>
<p class="awaited">Awaited <code>${escape(describeAwaited(checkpoint.awaiting))}</code> → <code>${escape(describeOutcome(checkpoint.outcome))}</code></p>
</section>`;
}

export function traceHtml(run: RunRecord, checkpoints: readonly Checkpoint[], finish: FinishRecord | undefined): string {
  const css = readFileSync(createRequire(import.meta.url).resolve("highlight.js/styles/github.css"), "utf8");
  const status = finish ? (finish.outcome.kind === "value" ? "completed" : "failed") : "unfinished";
  const result = !finish
    ? `<p>The run has not finished: resume it with <code>otf resume ${escape(run.id)}</code>.</p>`
    : finish.outcome.kind === "value"
      ? `<pre class="value">${escape(show(finish.outcome.value, 10_000))}</pre>`
      : `<pre class="error">${escape(describeError(finish.outcome.error))}</pre>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>otf run ${escape(run.id)}</title>
<style>${css}${PAGE_STYLE}</style></head>
<body>
<h1>Run ${escape(run.id)}</h1>
<p class="meta">workflow <code>${escape(run.workflow)}</code> · started ${new Date(run.createdAt).toISOString()} · ${checkpoints.length} checkpoints · <span class="${status}">${status}</span></p>
${checkpoints.map((c) => step(run, c)).join("\n")}
<section class="result ${status}" id="result"><h2>Result: ${status}</h2>${result}</section>
</body></html>
`;
}
