// Node module hooks that compile workflows at import time: a `.ts` module that imports otf
// (or tags a function `@workflow`) is transpiled with the transformer, with an inline source map.
// Other modules are left to Node (or to tsx, when it is loaded too).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { LoadHookSync, ResolveHookSync } from "node:module";
import { compile } from "./compile.ts";
import { formatDiagnostic } from "./diagnostics.ts";

const TS_FILE = /\.(c|m)?tsx?$/;
const MENTIONS_OTF = /from\s+["']otf["']|@workflow/;

/** Thrown at import time when a module's workflows cannot be compiled. */
export class WorkflowCompileError extends Error {
  override name = "WorkflowCompileError";
}

export const load: LoadHookSync = (url, context, nextLoad) => {
  if (!url.startsWith("file:") || !TS_FILE.test(url) || url.includes("/node_modules/")) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = readFileSync(path, "utf8");
  if (!MENTIONS_OTF.test(source)) return nextLoad(url, context);
  const { code, diagnostics } = compile(source, path);
  if (diagnostics.length) throw new WorkflowCompileError(diagnostics.map(formatDiagnostic).join("\n"));
  return { format: "module", source: code, shortCircuit: true };
};

/** TypeScript's convention: `./x.js` in an import names `./x.ts`. */
export const resolve: ResolveHookSync = (specifier, context, nextResolve) => {
  try {
    return nextResolve(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith("./") || specifier.startsWith("../");
    if (!relative || !/\.(m|c)?js$/.test(specifier) || (error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    return nextResolve(specifier.replace(/js$/, "ts"), context);
  }
};
