// Binding analysis of one workflow: which names live in the frame (their scope contains an await),
// which are boxed (captured by a closure and re-bound per loop iteration), which stay plain JS
// locals, and which nested functions can be lifted to module level as serializable closures.
import type TS from "typescript";
import { ts } from "./typescript.ts";
import { isAssignmentOperator } from "./builder.ts";
import { TransformError } from "./diagnostics.ts";

/** `frame`: `$L.key`; `box`: `$L.key.value`, a fresh box per binding; `local`: left as the user wrote it. */
export type Storage = "frame" | "box" | "local";

export interface Binding {
  readonly name: string;
  /** Its name in the frame's locals: the source name, `name$1`… for a shadowing one. */
  key: string;
  storage: Storage;
  readonly scope: Scope;
  /** Referenced from a function nested in the workflow. */
  captured: boolean;
  /** Assigned anywhere after its declaration. */
  reassigned: boolean;
  /** Declared with `var`: it exists, undefined, from the function's start. */
  isVar: boolean;
  /** One of the workflow's parameters (which a body `var` or function declaration may redeclare). */
  isParameter: boolean;
}

export interface Scope {
  readonly node: TS.Node;
  readonly parent: Scope | undefined;
  readonly bindings: Map<string, Binding>;
  /** False for the scopes of functions nested in the workflow. */
  readonly inWorkflow: boolean;
  readonly hasAwait: boolean;
  readonly inLoop: boolean;
}

export type NestedFunction = TS.ArrowFunction | TS.FunctionExpression | TS.FunctionDeclaration;

export interface ClosureInfo {
  /** Workflow bindings it reads or writes, in first-use order. */
  readonly captures: Binding[];
  /** Every capture lives in the frame, so the closure can be rebuilt from its id and captures. */
  liftable: boolean;
}

export interface Analysis {
  readonly bindings: Binding[];
  bindingOf(identifier: TS.Identifier): Binding | undefined;
  closureOf(fn: TS.Node): ClosureInfo | undefined;
  containsAwait(node: TS.Node): boolean;
  scopeOf(node: TS.Node): Scope | undefined;
}

const RESERVED = new Set(["$F", "$L", "$T", "$dispatch", "$e"]);

export function isFunctionLike(node: TS.Node): node is TS.FunctionLikeDeclaration | TS.ClassStaticBlockDeclaration {
  return ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node);
}

/** Does `node` contain an await of this function (not of a nested function)? Cached per node. */
export function awaitFinder(): (node: TS.Node) => boolean {
  const cache = new Map<TS.Node, boolean>();
  const contains = (node: TS.Node): boolean => {
    if (ts.isIdentifier(node)) return false; // the commonest node, with nothing below it
    const known = cache.get(node);
    if (known !== undefined) return known;
    let found = false;
    if (ts.isAwaitExpression(node)) found = true;
    else if (ts.isForOfStatement(node) && node.awaitModifier) found = true;
    else if (!isFunctionLike(node) && !ts.isClassLike(node)) found = ts.forEachChild(node, contains) ?? false;
    else if (ts.isClassLike(node)) found = node.members.some((m) => m.name !== undefined && ts.isComputedPropertyName(m.name) && contains(m.name));
    cache.set(node, found);
    return found;
  };
  return contains;
}

function isLoop(node: TS.Node): boolean {
  return ts.isIterationStatement(node, false);
}

/** Identifiers that name a property, a label, a type or an import, rather than a variable. */
function isReference(id: TS.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isQualifiedName(p)) return false;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p) || ts.isEnumMember(p)) && p.name === id) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isImportClause(p) || ts.isNamespaceImport(p)) return false;
  if (ts.isMetaProperty(p)) return false;
  if (ts.isJsxAttribute(p)) return false;
  return true;
}

function isDeclarationName(id: TS.Identifier): boolean {
  const p = id.parent;
  return (
    ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isClassDeclaration(p) || ts.isClassExpression(p)) && p.name === id) ||
    (ts.isBindingElement(p) && p.name === id)
  );
}

/** Does `node` hold a function or class (which could capture a name where it is written)? */
function containsFunction(node: TS.Node): boolean {
  if (ts.isTypeNode(node)) return false; // `(f: () => number) …` is a type, not a function
  return isFunctionLike(node) || ts.isClassLike(node) || (ts.forEachChild(node, containsFunction) ?? false);
}

function declaredNames(name: TS.BindingName, out: TS.Identifier[] = []): TS.Identifier[] {
  if (ts.isIdentifier(name)) out.push(name);
  else for (const element of name.elements) if (!ts.isOmittedExpression(element)) declaredNames(element.name, out);
  return out;
}

export function analyse(fn: TS.FunctionLikeDeclaration): Analysis {
  const containsAwait = awaitFinder();
  const bindingByDeclaration = new Map<TS.Identifier, Binding>();
  const bindingByReference = new Map<TS.Identifier, Binding>();
  const scopes = new Map<TS.Node, Scope>();
  const closures = new Map<TS.Node, ClosureInfo>();
  const ordered: Binding[] = [];
  const usedKeys = new Set<string>();

  function newScope(node: TS.Node, parent: Scope | undefined, inWorkflow: boolean, inLoop: boolean): Scope {
    const scope: Scope = { node, parent, bindings: new Map(), inWorkflow, hasAwait: inWorkflow && containsAwait(node), inLoop };
    scopes.set(node, scope);
    return scope;
  }

  function declare(scope: Scope, id: TS.Identifier): void {
    const existing = scope.bindings.get(id.text);
    if (existing) {
      bindingByDeclaration.set(id, existing);
      return;
    }
    if (scope.inWorkflow && (RESERVED.has(id.text) || id.text.startsWith("__otf"))) throw new TransformError("reservedName", id, id.text);
    let key = id.text;
    for (let n = 1; usedKeys.has(key); n++) key = `${id.text}$${n}`;
    if (scope.inWorkflow) usedKeys.add(key);
    const binding: Binding = { name: id.text, key, storage: "local", scope, captured: false, reassigned: false, isVar: false, isParameter: false };
    scope.bindings.set(id.text, binding);
    bindingByDeclaration.set(id, binding);
    if (scope.inWorkflow) ordered.push(binding);
  }

  /** The names one declaration list (or catch binding) declares together, in the workflow's scopes. */
  const groups: Binding[][] = [];
  function declareGroup(scope: Scope, ids: readonly TS.Identifier[]): void {
    for (const id of ids) declare(scope, id);
    if (scope.inWorkflow && ids.length > 1) groups.push(ids.map((id) => bindingByDeclaration.get(id)!));
  }

  /** `var`s and (in function scope) nothing else: hoisted to the function's scope. The names declared. */
  function hoistVars(node: TS.Node, scope: Scope): TS.Identifier[] {
    const declared: TS.Identifier[] = [];
    ts.forEachChild(node, function visit(child): void {
      if (isFunctionLike(child) || ts.isClassLike(child)) return;
      if (ts.isVariableDeclarationList(child) && !(child.flags & ts.NodeFlags.BlockScoped)) {
        const ids = child.declarations.flatMap((d) => declaredNames(d.name));
        declareGroup(scope, ids);
        for (const id of ids) bindingByDeclaration.get(id)!.isVar = true;
        declared.push(...ids);
      }
      ts.forEachChild(child, visit);
    });
    return declared;
  }

  /** let/const/class/function declared directly in a block-like list of statements. */
  function declareLexical(statements: readonly TS.Statement[], scope: Scope): void {
    for (const s of statements) {
      if (ts.isVariableStatement(s) && s.declarationList.flags & ts.NodeFlags.BlockScoped) {
        declareGroup(scope, s.declarationList.declarations.flatMap((d) => declaredNames(d.name)));
      } else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) {
        declare(scope, s.name);
      }
    }
  }

  function lookup(scope: Scope | undefined, name: string): Binding | undefined {
    for (let s = scope; s; s = s.parent) {
      const b = s.bindings.get(name);
      if (b) return b;
    }
    return undefined;
  }

  /** Walks `node` in `scope`; `closure` is the outermost function nested in the workflow that we are inside. */
  function walk(node: TS.Node, scope: Scope, closure: ClosureInfo | undefined, loop: boolean): void {
    // Identifiers first: most nodes are one.
    if (ts.isIdentifier(node)) {
      if (scope.inWorkflow && closure === undefined && node.text === "arguments" && !lookup(scope, "arguments")) throw new TransformError("thisOrArguments", node);
      if (!isReference(node)) return;
      if (scope.inWorkflow && (RESERVED.has(node.text) || node.text.startsWith("__otf"))) throw new TransformError("reservedName", node, node.text);
      const binding = isDeclarationName(node) ? bindingByDeclaration.get(node) : lookup(scope, node.text);
      if (!binding) return;
      bindingByReference.set(node, binding);
      if (closure && binding.scope.inWorkflow) {
        binding.captured = true;
        if (!closure.captures.includes(binding)) closure.captures.push(binding);
      }
      return;
    }
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return;
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isTypeParameterDeclaration(node)) return;
    if (scope.inWorkflow && closure === undefined) {
      if (ts.isYieldExpression(node)) throw new TransformError("yieldInWorkflow", node);
      if (ts.isWithStatement(node)) throw new TransformError("withStatement", node);
      if (ts.isForOfStatement(node) && node.awaitModifier) throw new TransformError("forAwait", node);
      if (node.kind === ts.SyntaxKind.ThisKeyword) throw new TransformError("thisOrArguments", node);
    }
    if (isFunctionLike(node)) {
      const inner = newScope(node, scope, false, false);
      const info = closure ?? (scope.inWorkflow ? { captures: [], liftable: true } : undefined);
      if (!closure && info && (ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isFunctionDeclaration(node))) closures.set(node, info);
      if (ts.isFunctionExpression(node) && node.name) declare(inner, node.name);
      for (const p of (node as TS.FunctionLikeDeclaration).parameters ?? []) for (const id of declaredNames(p.name)) declare(inner, id);
      const body = (node as TS.FunctionLikeDeclaration).body;
      if (body) hoistVars(body, inner);
      // The body's let/const/class are a scope of their own: a parameter's default does not see them.
      const bodyScope = body && ts.isBlock(body) ? newScope(body, inner, false, false) : inner;
      if (body && ts.isBlock(body)) declareLexical(body.statements, bodyScope);
      if (ts.isClassStaticBlockDeclaration(node)) declareLexical(node.body.statements, inner);
      // Nested functions: this and arguments are their own; we only track what they capture.
      const visitChild = (scope: Scope) => (child: TS.Node) => walk(child, scope, info ?? closure, false);
      if (ts.isClassStaticBlockDeclaration(node)) node.body.statements.forEach(visitChild(inner));
      else {
        (node as TS.FunctionLikeDeclaration).parameters.forEach(visitChild(inner));
        if (body) {
          if (ts.isBlock(body)) body.statements.forEach(visitChild(bodyScope));
          else visitChild(inner)(body);
        }
      }
      return;
    }
    if (ts.isClassLike(node)) {
      // A class body's methods are nested functions; its own name is bound inside it.
      const inner = newScope(node, scope, false, false);
      if (ts.isClassExpression(node) && node.name) declare(inner, node.name);
      const info = closure ?? (scope.inWorkflow ? { captures: [], liftable: false } : undefined);
      ts.forEachChild(node, (child) => walk(child, inner, info, false));
      return;
    }
    if (ts.isBlock(node) || ts.isCaseBlock(node)) {
      const inner = newScope(node, scope, scope.inWorkflow, loop);
      declareLexical(ts.isBlock(node) ? node.statements : node.clauses.flatMap((c) => [...c.statements]), inner);
      ts.forEachChild(node, (child) => walk(child, inner, closure, loop));
      return;
    }
    if (ts.isCatchClause(node)) {
      const inner = newScope(node, scope, scope.inWorkflow, loop);
      if (node.variableDeclaration) declareGroup(inner, declaredNames(node.variableDeclaration.name));
      ts.forEachChild(node, (child) => walk(child, inner, closure, loop));
      return;
    }
    if (isLoop(node)) {
      const loopInWorkflow = scope.inWorkflow;
      let headScope = scope;
      const initializer = ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node) ? node.initializer : undefined;
      if (initializer && ts.isVariableDeclarationList(initializer) && initializer.flags & ts.NodeFlags.BlockScoped) {
        headScope = newScope(node, scope, scope.inWorkflow, loopInWorkflow);
        declareGroup(headScope, initializer.declarations.flatMap((d) => declaredNames(d.name)));
      }
      ts.forEachChild(node, (child) => walk(child, headScope, closure, loopInWorkflow || loop));
      return;
    }
    if (ts.isBinaryExpression(node) && isAssignmentOperator(node.operatorToken.kind)) markAssigned(node.left, scope);
    if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) markAssigned(node.operand, scope);
    ts.forEachChild(node, (child) => walk(child, scope, closure, loop));
  }

  function markAssigned(target: TS.Node, scope: Scope): void {
    if (ts.isIdentifier(target)) {
      const b = lookup(scope, target.text);
      if (b) b.reassigned = true;
    } else if (ts.isParenthesizedExpression(target) || ts.isNonNullExpression(target) || ts.isAsExpression(target) || ts.isSatisfiesExpression(target)) {
      markAssigned(target.expression, scope);
    } else if (ts.isObjectLiteralExpression(target) || ts.isArrayLiteralExpression(target)) {
      ts.forEachChild(target, (c) => markAssigned(ts.isPropertyAssignment(c) ? c.initializer : ts.isShorthandPropertyAssignment(c) ? c.name : ts.isSpreadAssignment(c) || ts.isSpreadElement(c) ? c.expression : c, scope));
    } else if (ts.isBinaryExpression(target) && target.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      markAssigned(target.left, scope);
    }
  }

  const root: Scope = { node: fn, parent: undefined, bindings: new Map(), inWorkflow: true, hasAwait: containsAwait(fn.body!), inLoop: false };
  scopes.set(fn, root);
  // The parameters are bound by one pattern, whose defaults may read earlier parameters: they live
  // in the frame together, or stay JS locals together.
  const parameters = fn.parameters.flatMap((p) => declaredNames(p.name));
  declareGroup(root, parameters);
  for (const id of parameters) bindingByDeclaration.get(id)!.isParameter = true;
  const body = fn.body!;
  const vars = hoistVars(body, root);
  // With default, destructured or rest parameters, a body `var` (or function) of a parameter's name
  // is a second variable, which functions in the parameter list do not see. One frame slot per name cannot hold
  // both; without such functions no one can tell them apart, and one slot is right.
  const simple = fn.parameters.every((p) => !p.initializer && !p.dotDotDotToken && ts.isIdentifier(p.name));
  if (!simple && fn.parameters.some(containsFunction)) {
    const names = new Set(parameters.map((id) => id.text));
    const functions = ts.isBlock(body) ? body.statements.flatMap((s) => (ts.isFunctionDeclaration(s) && s.name ? [s.name] : [])) : [];
    const redeclared = [...vars, ...functions].find((id) => names.has(id.text));
    if (redeclared) throw new TransformError("varRedeclaresParameter", redeclared, redeclared.text);
  }
  if (ts.isBlock(body)) {
    declareLexical(body.statements, root);
    for (const p of fn.parameters) walk(p, root, undefined, false);
    for (const s of body.statements) walk(s, root, undefined, false);
  } else {
    for (const p of fn.parameters) walk(p, root, undefined, false);
    walk(body, root, undefined, false);
  }

  for (const binding of ordered) {
    // A captured variable lives in the frame even where nothing awaits, so the closure can be lifted.
    if (binding.captured) binding.storage = binding.scope.inLoop ? "box" : "frame";
    else binding.storage = binding.scope.hasAwait ? "frame" : "local";
  }
  // One declaration is rewritten as a whole, either as written or as frame assignments: if one
  // of its names lives in the frame, so do the others (else they would be left undeclared).
  for (const group of groups) {
    if (group.some((b) => b.storage !== "local")) for (const b of group) if (b.storage === "local") b.storage = "frame";
  }
  for (const info of closures.values()) info.liftable = info.liftable && info.captures.every((b) => b.storage !== "local");

  return {
    bindings: ordered,
    bindingOf: (id) => bindingByReference.get(id) ?? bindingByDeclaration.get(id),
    closureOf: (node) => closures.get(node),
    containsAwait,
    scopeOf: (node) => scopes.get(node),
  };
}
