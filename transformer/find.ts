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

/** Which of otf's functions `callee` is, if it is `workflow` or `task`. */
export function otfFunction(callee: TS.Expression, imports: OtfImports, checker: TS.TypeChecker | undefined): "workflow" | "task" | undefined {
  if (ts.isIdentifier(callee)) {
    if (imports.workflow.has(callee.text)) return "workflow";
    if (imports.task.has(callee.text)) return "task";
  }
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && imports.namespaces.has(callee.expression.text) && (callee.name.text === "workflow" || callee.name.text === "task")) return callee.name.text;
  if (!checker) return undefined;
  // Through re-exports and aliases: the symbol's declaration must be the runtime's own.
  let symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.[0];
  const name = symbol?.name;
  if (!declaration || (name !== "workflow" && name !== "task")) return undefined;
  const file = declaration.getSourceFile().fileName.replaceAll("\\", "/");
  return /(^|\/)(otf\/(dist\/)?)?runtime\/(workflow|task)\.(d\.)?ts$/.test(file) && (file.includes("/otf/") || file.includes("/runtime/")) ? name : undefined;
}

/**
 * What the transformer rewrites in a file: `workflow(…)` calls, exported `task(…)` calls that
 * learn their module and export name, `@workflow` function declarations and methods.
 */
export type SiteKind = "workflow" | "task" | "tagged" | "method";

/**
 * A file's sites, found by a read-only walk, so that a file with no workflow is left as it is
 * (not rebuilt) and each callee is resolved once: with a checker, every call is asked about.
 */
export class Sites {
  readonly kinds = new Map<TS.Node, SiteKind>();
  /** Every node with a site below it: the transformer walks these and leaves other subtrees as they are. */
  readonly paths = new Set<TS.Node>();
  private readonly imports: OtfImports;
  private readonly checker: TS.TypeChecker | undefined;
  private readonly hasTags: boolean;

  constructor(sourceFile: TS.SourceFile, imports: OtfImports, checker: TS.TypeChecker | undefined) {
    this.imports = imports;
    this.checker = checker;
    this.hasTags = sourceFile.text.includes("@workflow");
    this.scanChildren(sourceFile);
  }

  /**
   * The sites below `node`. A workflow's own body is not searched: the transformer replaces it
   * whole, and walks into it (after `scanChildren`) only when it cannot be compiled.
   */
  scanChildren(node: TS.Node): void {
    ts.forEachChild(node, this.scan);
  }

  private readonly scan = (node: TS.Node): void => {
    // Types hold no calls (an `extends` clause's expression is not a type).
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return;
    if (ts.isCallExpression(node)) {
      const callee = otfFunction(node.expression, this.imports, this.checker);
      if (callee === "workflow") {
        this.found(node, "workflow");
        const fn = node.arguments[0];
        if (fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return;
      } else if (callee === "task" && node.arguments.length <= 2 && exportedTaskName(node)) this.found(node, "task");
    } else if (ts.isFunctionDeclaration(node)) {
      if (this.hasTags && node.name && hasWorkflowTag(node)) return this.found(node, "tagged");
    } else if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
      for (const member of node.members) {
        if (ts.isMethodDeclaration(member) && ts.getDecorators(member)?.some((d) => otfFunction(d.expression, this.imports, this.checker) === "workflow")) this.found(member, "method");
      }
      ts.forEachChild(node, (child) => (this.kinds.get(child) === "method" ? undefined : this.scan(child)));
      return;
    }
    ts.forEachChild(node, this.scan);
  };

  private found(node: TS.Node, kind: SiteKind): void {
    this.kinds.set(node, kind);
    for (let p = node.parent; p && !this.paths.has(p); p = p.parent) this.paths.add(p);
  }
}

export function hasWorkflowTag(node: TS.Node): boolean {
  if (ts.getJSDocTags(node).some((t) => t.tagName.text === "workflow")) return true;
  // tsc parses a .ts file's doc comments only as far as its type errors need, so under tspc the
  // tag is not in the tree: read the doc comments before the declaration themselves.
  const text = node.getSourceFile().text;
  return (ts.getLeadingCommentRanges(text, node.pos) ?? []).some((range) => text.startsWith("/**", range.pos) && /(^|[\s*])@workflow(?![\w-])/.test(text.slice(range.pos + 3, range.end - 2)));
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
