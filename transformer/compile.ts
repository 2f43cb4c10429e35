// compile(source, fileName): one TypeScript module in, JavaScript with its workflows compiled
// out, with a source map and the transformer's diagnostics. Used by the loader hook and tools.
import ts from "typescript";
import type { Diagnostic } from "./diagnostics.ts";
import { workflowTransformer } from "./transform.ts";

export interface CompileOptions {
  readonly projectRoot?: string;
  /** Inline a source map in the output (default true), so stack traces name the .ts lines. */
  readonly sourceMap?: boolean;
}

export interface CompileResult {
  readonly code: string;
  readonly diagnostics: Diagnostic[];
}

export const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  module: ts.ModuleKind.ESNext,
  experimentalDecorators: false,
  verbatimModuleSyntax: false,
  isolatedModules: true,
  esModuleInterop: true,
};

export function compile(source: string, fileName: string, options: CompileOptions = {}): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const result = ts.transpileModule(source, {
    fileName,
    compilerOptions: { ...compilerOptions, inlineSourceMap: options.sourceMap !== false, inlineSources: options.sourceMap !== false },
    transformers: { before: [workflowTransformer({ typescript: ts, projectRoot: options.projectRoot, report: (d) => diagnostics.push(d) })] },
    reportDiagnostics: false,
  });
  return { code: result.outputText, diagnostics };
}
