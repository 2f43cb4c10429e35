// The TypeScript the transformer reads and builds nodes with. Under tspc it is the compiler's own
// (ts-patch hands it to the plugin), so the plugin loads no second copy of TypeScript and calls
// code the compiler has already warmed up; compile() and the loader hook bring the package's.
import { createRequire } from "node:module";
import type TS from "typescript";

/** Set by `useTypeScript` before any node is read or made. */
export let ts: typeof TS;
/** `ts.factory`. */
export let f: TS.NodeFactory;

export function useTypeScript(instance: typeof TS): void {
  if (ts === instance) return;
  ts = instance;
  f = instance.factory;
}

/** The `typescript` package, for callers that have no compiler's own at hand. */
export function typescriptPackage(): typeof TS {
  return createRequire(import.meta.url)("typescript") as typeof TS;
}
