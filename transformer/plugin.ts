// The ts-patch plugin: `{ "transform": "otf/plugin" }` in tsconfig.json's compilerOptions.plugins.
// With the program at hand, workflows are also found through re-exports and type-checked
// for locals that cannot be snapshotted; problems become diagnostics that fail the build.
import { dirname } from "node:path";
import type TS from "typescript";
import { ts } from "./typescript.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { workflowTransformer } from "./transform.ts";

/** Options accepted in the plugin's entry in tsconfig.json. */
export interface PluginConfig {
  /** Workflow ids are module paths relative to this (default: the tsconfig's folder). */
  readonly projectRoot?: string;
}

/** What ts-patch passes a program plugin besides the program and its config. */
interface TransformerExtras {
  /** The TypeScript running the build (the transformer makes its nodes with it). */
  readonly ts?: typeof TS;
  addDiagnostic(diagnostic: TS.Diagnostic): number;
}

/**
 * tsc prints every diagnostic as `TS<code>`; ours use 90000 + the OTF number, and the message
 * starts with `OTF<number>:` so the line reads `error TS91001: OTF1001: …`.
 */
export const TSC_CODE_OFFSET = 90000;

export function toTsDiagnostic(d: Diagnostic, program: TS.Program): TS.Diagnostic {
  return {
    category: ts.DiagnosticCategory.Error,
    code: TSC_CODE_OFFSET + Number(d.code.slice(3)),
    file: program.getSourceFile(d.file),
    start: d.start,
    length: d.length,
    messageText: `${d.code}: ${d.message}`,
    source: "otf",
  };
}

export function rootOf(program: TS.Program): string {
  const config = program.getCompilerOptions().configFilePath;
  return typeof config === "string" ? dirname(config) : program.getCurrentDirectory();
}

export default function otfPlugin(program: TS.Program, config: PluginConfig = {}, extras?: TransformerExtras): TS.TransformerFactory<TS.SourceFile> {
  return workflowTransformer({
    typescript: extras?.ts,
    projectRoot: config.projectRoot ?? rootOf(program),
    checker: program.getTypeChecker(),
    report: (d) => {
      if (!extras) throw new Error(`${d.file}(${d.line},${d.column}): error ${d.code}: ${d.message}`);
      extras.addDiagnostic(toTsDiagnostic(d, program));
    },
  });
}
