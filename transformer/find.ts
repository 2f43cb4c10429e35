// Finds what the transformer compiles, by what it is rather than by spelling: calls of otf's
// own `workflow` (through the file's imports, aliases and namespace imports, and through the
// type checker when one is given), `/** @workflow */` functions, `@workflow` static methods,
// and exported `task(…)` definitions (which learn their module and export name).
import type TS from "typescript";
import { ts } from "./typescript.ts";

export const OTF_MODULE = "otf";

export interface OtfImports {
  readonly workflow: Set<string>;
  readonly task: Set<string>;
  readonly namespaces: Set<string>;
}

export function otfImports(sourceFile: TS.SourceFile): OtfImports {
  const found: OtfImports = { workflow: new Set(), task: new Set(), namespaces: new Set() };
  for (const s of sourceFile.statements) {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier) || s.moduleSpecifier.text !== OTF_MODULE) continue;
    const bindings = s.importClause?.namedBindings;
    if (!bindings) continue;
    if (ts.isNamespaceImport(bindings)) found.namespaces.add(bindings.name.text);
    else
      for (const e of bindings.elements) {
        const imported = (e.propertyName ?? e.name).text;
        if (imported === "workflow") found.workflow.add(e.name.text);
        if (imported === "task") found.task.add(e.name.text);
      }
  }
  return found;
}

/** Is `callee` otf's `name` (`workflow` or `task`)? */
export function isOtfFunction(callee: TS.Expression, name: "workflow" | "task", imports: OtfImports, checker: TS.TypeChecker | undefined): boolean {
  if (ts.isIdentifier(callee) && imports[name].has(callee.text)) return true;
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && imports.namespaces.has(callee.expression.text) && callee.name.text === name) return true;
  if (!checker) return false;
  // Through re-exports and aliases: the symbol's declaration must be the runtime's own.
  let symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.[0];
  if (!declaration || symbol!.name !== name) return false;
  const file = declaration.getSourceFile().fileName.replaceAll("\\", "/");
  return /(^|\/)(otf\/(dist\/)?)?runtime\/(workflow|task)\.(d\.)?ts$/.test(file) && (file.includes("/otf/") || file.includes("/runtime/"));
}

export type WorkflowSite =
  | { readonly kind: "call"; readonly call: TS.CallExpression; readonly fn: TS.ArrowFunction | TS.FunctionExpression; readonly name: string | undefined }
  | { readonly kind: "declaration"; readonly fn: TS.FunctionDeclaration; readonly name: string | undefined }
  | { readonly kind: "method"; readonly fn: TS.MethodDeclaration; readonly decorator: TS.Decorator; readonly name: string | undefined };

export function hasWorkflowTag(node: TS.Node): boolean {
  return ts.getJSDocTags(node).some((t) => t.tagName.text === "workflow");
}

/** The name a workflow call is known by: the function's own name, or the const it initialises. */
export function nameOfCall(call: TS.CallExpression, fn: TS.ArrowFunction | TS.FunctionExpression): string | undefined {
  if (ts.isFunctionExpression(fn) && fn.name) return fn.name.text;
  let parent: TS.Node = call.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent)) parent = parent.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) return parent.name.text;
  return undefined;
}

/** Is `node` evaluated once per module (not inside a function)? */
export function atModuleLevel(node: TS.Node): boolean {
  for (let p = node.parent; p && !ts.isSourceFile(p); p = p.parent) {
    if (ts.isFunctionLike(p) || ts.isClassStaticBlockDeclaration(p)) return false;
  }
  return true;
}

/** The export name of `const name = task(…)` when the const is exported from the module. */
export function exportedTaskName(call: TS.CallExpression): string | undefined {
  const declaration = call.parent;
  if (!ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name)) return undefined;
  const statement = declaration.parent.parent;
  if (!ts.isVariableStatement(statement) || !ts.isSourceFile(statement.parent)) return undefined;
  const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  if (exported) return declaration.name.text;
  const name = declaration.name.text;
  for (const s of statement.parent.statements) {
    if (ts.isExportDeclaration(s) && !s.moduleSpecifier && s.exportClause && ts.isNamedExports(s.exportClause)) {
      const e = s.exportClause.elements.find((el) => (el.propertyName ?? el.name).text === name);
      if (e) return e.name.text;
    }
  }
  return undefined;
}
