// A generated program as plain JavaScript, without the otf transformer: there `workflow(fn)`
// wraps the native async function and `await defer(…)` awaits a thenable future.
import ts from "typescript";

export function transpileNative(source: string): string {
  const { outputText, diagnostics } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
    fileName: "program.ts",
    reportDiagnostics: true,
  });
  if (diagnostics?.length) {
    throw new Error(`generated program does not parse: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, "\n")}`);
  }
  return outputText;
}
