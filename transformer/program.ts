// compileProgram(files): a whole program compiled in memory with the type checker, as tspc
// compiles it (tools and tests).
import ts from "typescript";
import type { Diagnostic } from "./diagnostics.ts";
import { workflowTransformer } from "./transform.ts";

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
  const transformer = workflowTransformer({ typescript: ts, projectRoot: options.projectRoot ?? program.getCurrentDirectory(), checker: program.getTypeChecker(), report: (d) => diagnostics.push(d) });
  for (const file of fileNames) {
    const sourceFile = program.getSourceFile(file);
    program.emit(sourceFile, (name, text) => outputs.set(name, text), undefined, false, { before: [transformer] });
  }
  return { outputs, diagnostics };
}
