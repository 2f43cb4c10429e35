// The ts-patch plugin: `{ "transform": "otf/plugin" }` in tsconfig.json's compilerOptions.plugins.
// With the program at hand, workflows are also found through re-exports and type-checked
// for locals that cannot be snapshotted; problems become diagnostics that fail the build.
import { dirname } from "node:path";
import ts from "typescript";
import type { Diagnostic } from "./diagnostics.ts";
import { workflowTransformer } from "./transform.ts";

/** Options accepted in the plugin's entry in tsconfig.json. */
export interface PluginConfig {
  /** Workflow ids are module paths relative to this (default: the tsconfig's folder). */
  readonly projectRoot?: string;
}

interface TransformerExtras {
  addDiagnostic(diagnostic: ts.Diagnostic): number;
}

/**
 * tsc prints every diagnostic as `TS<code>`; ours use 90000 + the OTF number, and the message
 * starts with `OTF<number>:` so the line reads `error TS91001: OTF1001: …`.
 */
export const TSC_CODE_OFFSET = 90000;

export function toTsDiagnostic(d: Diagnostic, program: ts.Program): ts.Diagnostic {
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

export function rootOf(program: ts.Program): string {
  const config = program.getCompilerOptions().configFilePath;
  return typeof config === "string" ? dirname(config) : program.getCurrentDirectory();
}

export default function otfPlugin(program: ts.Program, config: PluginConfig = {}, extras?: TransformerExtras): ts.TransformerFactory<ts.SourceFile> {
  return workflowTransformer({
    projectRoot: config.projectRoot ?? rootOf(program),
    checker: program.getTypeChecker(),
    report: (d) => {
      if (!extras) throw new Error(`${d.file}(${d.line},${d.column}): error ${d.code}: ${d.message}`);
      extras.addDiagnostic(toTsDiagnostic(d, program));
    },
  });
}

export interface ProgramResult {
  /** Emitted JavaScript by output file name. */
  readonly outputs: Map<string, string>;
  readonly diagnostics: Diagnostic[];
}

/** Compiles files as one program with the type checker (what tspc does), in memory. */
export function compileProgram(fileNames: readonly string[], options: { projectRoot?: string; compilerOptions?: ts.CompilerOptions } = {}): ProgramResult {
  const compilerOptions: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ["otf-source"],
    allowImportingTsExtensions: true,
    rewriteRelativeImportExtensions: true,
    strict: true,
    skipLibCheck: true,
    noEmitOnError: false,
    outDir: "/otf-virtual-out",
    ...options.compilerOptions,
  };
  const program = ts.createProgram(fileNames, compilerOptions);
  const diagnostics: Diagnostic[] = [];
  const outputs = new Map<string, string>();
  const transformer = workflowTransformer({ projectRoot: options.projectRoot ?? program.getCurrentDirectory(), checker: program.getTypeChecker(), report: (d) => diagnostics.push(d) });
  for (const file of fileNames) {
    const sourceFile = program.getSourceFile(file);
    program.emit(sourceFile, (name, text) => outputs.set(name, text), undefined, false, { before: [transformer] });
  }
  return { outputs, diagnostics };
}
