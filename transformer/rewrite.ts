// Rewrites code that does not await (a "chunk"), so it can stand inside a state: references to
// frame variables become `$L.name`, jumps and returns that leave the chunk go through the state
// machine, and nested functions become lifted closures. Everything else is left as written.
import type TS from "typescript";
import { ts, f } from "./typescript.ts";
import { LOCALS, RUNTIME, id, prop, runtimeCall, sequence } from "./builder.ts";
import type { Analysis, Binding, ClosureInfo, NestedFunction } from "./scope.ts";
import { isFunctionLike } from "./scope.ts";

export const CLOSURE_ENV = "__otf_env";
/** The catch variable of a catch clause whose binding lives in the frame. */
const CAUGHT = "__otf_caught";

/** Where frame variables are reached from: the step function, or a lifted closure's environment. */
export type Access = { readonly kind: "step" } | { readonly kind: "closure" };

export interface RewriteHooks {
  /** A break or continue whose target is outside the chunk. */
  jump(kind: "break" | "continue", label: string | undefined, node: TS.Node): TS.Statement;
  /** A return of the workflow. */
  ret(value: TS.Expression, node: TS.Node): TS.Statement;
  /** A nested function whose captures all live in the frame: the expression that creates it. */
  lift(fn: NestedFunction, info: ClosureInfo): TS.Expression;
}

export const COMBINATORS = new Set(["all", "race", "allSettled", "any"]);

/** The expression a binding is read and written through. */
export function bindingTarget(binding: Binding, access: Access): TS.Expression {
  if (access.kind === "step") {
    const slot = prop(LOCALS, binding.key);
    return binding.storage === "box" ? prop(slot, "value") : slot;
  }
  if (binding.storage === "box") return prop(prop(CLOSURE_ENV, binding.key), "value");
  return prop(prop(CLOSURE_ENV, "locals"), binding.key);
}

interface InnerTarget {
  readonly labels: readonly string[];
  readonly kind: "loop" | "switch" | "block";
}

export class Rewriter {
  private readonly context: TS.TransformationContext;
  private readonly analysis: Analysis;
  private readonly hooks: RewriteHooks;
  constructor(context: TS.TransformationContext, analysis: Analysis, hooks: RewriteHooks) {
    this.context = context;
    this.analysis = analysis;
    this.hooks = hooks;
  }

  expression(node: TS.Expression, access: Access = { kind: "step" }): TS.Expression {
    return this.visit(node, access, [], false) as TS.Expression;
  }

  statement(node: TS.Statement, access: Access = { kind: "step" }): TS.Statement {
    return this.visit(node, access, [], false) as TS.Statement;
  }

  /** A function's body rewritten for a lifted closure (its own jumps and returns stay its own). */
  closureBody<T extends TS.Node>(node: T): T {
    return this.visit(node, { kind: "closure" }, [], true) as T;
  }

  /** `Promise.all(…)` and friends, when `Promise` is the global one: the runtime's serializable combinators. */
  combinatorCallee(call: TS.CallExpression): TS.Expression | undefined {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression) || callee.expression.text !== "Promise") return undefined;
    if (this.analysis.bindingOf(callee.expression) || !COMBINATORS.has(callee.name.text)) return undefined;
    return ts.setTextRange(prop(RUNTIME, callee.name.text), callee);
  }

  /** A for loop's boxed `let` variables get a fresh box per iteration, made before the increment (as JS does). */
  private perIterationCopies(original: TS.ForStatement, visited: TS.ForStatement, access: Access): TS.ForStatement {
    const init = original.initializer;
    if (!init || !ts.isVariableDeclarationList(init)) return visited;
    const copies = init.declarations
      .flatMap((d) => boundIdentifiers(d.name))
      .map((name) => this.analysis.bindingOf(name))
      .filter((b): b is Binding => b?.storage === "box")
      .map((b) => {
        const slot = access.kind === "step" ? prop(LOCALS, b.key) : prop(CLOSURE_ENV, b.key);
        return f.createAssignment(slot, runtimeCall("box", [prop(slot, "value")]));
      });
    if (copies.length === 0) return visited;
    const incrementor = sequence(visited.incrementor ? [...copies, visited.incrementor] : copies);
    return f.updateForStatement(visited, visited.initializer, visited.condition, incrementor, visited.statement);
  }

  /**
   * `for (const x of xs)` with x in the frame: each item arrives in a JS local and is bound at the
   * top of the body, so a boxed x gets a fresh box per iteration.
   */
  private bindEachItem(original: TS.ForInStatement | TS.ForOfStatement, visited: TS.ForInStatement | TS.ForOfStatement, access: Access): TS.Statement {
    const head = original.initializer;
    if (!ts.isVariableDeclarationList(head) || !head.declarations.flatMap((d) => boundIdentifiers(d.name)).some((n) => (this.analysis.bindingOf(n)?.storage ?? "local") !== "local")) return visited;
    const item = f.createUniqueName("__otf_item");
    const bind = declarationAssignments(head, (e) => this.expression(e, access), this.analysis, access, () => item);
    const itemHead = f.createVariableDeclarationList([f.createVariableDeclaration(item)], ts.NodeFlags.Const);
    const body = f.createBlock([f.createExpressionStatement(sequence(bind)), visited.statement], true);
    return ts.isForOfStatement(visited)
      ? f.updateForOfStatement(visited, visited.awaitModifier, itemHead, visited.expression, body)
      : f.updateForInStatement(visited, itemHead, visited.expression, body);
  }

  private visit(node: TS.Node, access: Access, inner: InnerTarget[], inFunction: boolean): TS.Node {
    const visitor = (child: TS.Node): TS.Node => this.visit(child, access, inner, inFunction);

    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return node;

    if (ts.isIdentifier(node)) {
      const binding = this.analysis.bindingOf(node);
      if (!binding || binding.storage === "local" || !isValueReference(node)) return node;
      return ts.setOriginalNode(ts.setTextRange(bindingTarget(binding, access), node), node);
    }

    if (ts.isShorthandPropertyAssignment(node)) {
      const binding = this.analysis.bindingOf(node.name);
      if (binding && binding.storage !== "local") {
        const target = bindingTarget(binding, access);
        const value = node.objectAssignmentInitializer ? f.createAssignment(target, this.visit(node.objectAssignmentInitializer, access, inner, inFunction) as TS.Expression) : target;
        return ts.setTextRange(f.createPropertyAssignment(node.name.text, value), node);
      }
    }

    if (ts.isVariableStatement(node) || ts.isVariableDeclarationList(node)) {
      const list = ts.isVariableStatement(node) ? node.declarationList : node;
      const names = list.declarations.flatMap((d) => boundIdentifiers(d.name));
      if (names.some((n) => this.analysis.bindingOf(n)?.storage !== "local" && this.analysis.bindingOf(n) !== undefined)) {
        const assignments = declarationAssignments(list, (e) => this.visit(e, access, inner, inFunction) as TS.Expression, this.analysis, access);
        if (ts.isVariableDeclarationList(node)) {
          // A for-loop head: one expression (or, in for-in/of, the assignment target).
          if (ts.isForInStatement(node.parent) || ts.isForOfStatement(node.parent)) return patternTarget(list.declarations[0]!.name, this.analysis, access, (e) => this.visit(e, access, inner, inFunction) as TS.Expression);
          return assignments.length ? sequence(assignments) : f.createVoidZero();
        }
        const statement = assignments.length ? f.createExpressionStatement(sequence(assignments)) : f.createEmptyStatement();
        return ts.setOriginalNode(ts.setTextRange(statement, node), node);
      }
    }

    if (ts.isCatchClause(node) && node.variableDeclaration && boundIdentifiers(node.variableDeclaration.name).some((n) => this.analysis.bindingOf(n)?.storage !== "local")) {
      // `catch ($L.e)` is not JS: catch into a fresh name, then assign the frame binding from it.
      const caught = f.createIdentifier(CAUGHT);
      const declaration = node.variableDeclaration;
      const list = f.createVariableDeclarationList([f.updateVariableDeclaration(declaration, declaration.name, undefined, undefined, undefined)], ts.NodeFlags.Let);
      const bind = declarationAssignments(list, (e) => visitor(e) as TS.Expression, this.analysis, access, () => caught);
      const block = visitor(node.block) as TS.Block;
      return f.updateCatchClause(node, f.createVariableDeclaration(caught), f.updateBlock(block, [f.createExpressionStatement(sequence(bind)), ...block.statements]));
    }

    if (ts.isCallExpression(node)) {
      const callee = this.combinatorCallee(node);
      if (callee) return ts.setTextRange(f.updateCallExpression(node, callee, undefined, node.arguments.map((a) => visitor(a) as TS.Expression)), node);
    }

    if (isFunctionLike(node) && !inFunction) {
      const info = this.analysis.closureOf(node);
      if (info?.liftable && (ts.isArrowFunction(node) || ts.isFunctionExpression(node))) {
        return this.hooks.lift(node, info);
      }
      return ts.visitEachChild(node, (child) => this.visit(child, access, [], true), this.context);
    }
    if (ts.isClassLike(node) && !inFunction) {
      return ts.visitEachChild(node, (child) => this.visit(child, access, [], true), this.context);
    }

    if (!inFunction) {
      if (ts.isBreakStatement(node) || ts.isContinueStatement(node)) {
        const kind = ts.isBreakStatement(node) ? "break" : "continue";
        const label = node.label?.text;
        if (!hasInnerTarget(inner, kind, label)) return ts.setTextRange(this.hooks.jump(kind, label, node), node);
        return node;
      }
      if (ts.isReturnStatement(node)) {
        const value = node.expression ? (this.visit(node.expression, access, inner, inFunction) as TS.Expression) : f.createVoidZero();
        return ts.setTextRange(this.hooks.ret(value, node), node);
      }
      if (ts.isLabeledStatement(node) || ts.isIterationStatement(node, false) || ts.isSwitchStatement(node)) {
        const { labels, body } = unwrapLabels(node);
        const kind = ts.isIterationStatement(body, false) ? "loop" : ts.isSwitchStatement(body) ? "switch" : "block";
        const deeper = [...inner, { labels, kind } as InnerTarget];
        let visited = ts.visitEachChild(body, (child) => this.visit(child, access, deeper, inFunction), this.context);
        if (ts.isForStatement(body) && ts.isForStatement(visited)) visited = this.perIterationCopies(body, visited, access);
        if ((ts.isForInStatement(body) || ts.isForOfStatement(body)) && (ts.isForInStatement(visited) || ts.isForOfStatement(visited))) visited = this.bindEachItem(body, visited, access);
        return rewrapLabels(labels, visited, node);
      }
    }

    return ts.visitEachChild(node, visitor, this.context);
  }
}

function isValueReference(id: TS.Identifier): boolean {
  const p = id.parent;
  if (!p) return true;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === id) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if ((ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isClassDeclaration(p) || ts.isClassExpression(p)) && p.name === id) return false;
  return true;
}

function hasInnerTarget(inner: readonly InnerTarget[], kind: "break" | "continue", label: string | undefined): boolean {
  for (let i = inner.length - 1; i >= 0; i--) {
    const t = inner[i]!;
    if (label !== undefined) {
      if (t.labels.includes(label)) return true;
    } else if (t.kind === "loop" || (kind === "break" && t.kind === "switch")) {
      return true;
    }
  }
  return false;
}

export function unwrapLabels(node: TS.Statement): { labels: string[]; body: TS.Statement } {
  const labels: string[] = [];
  let body = node;
  while (ts.isLabeledStatement(body)) {
    labels.push(body.label.text);
    body = body.statement;
  }
  return { labels, body };
}

function rewrapLabels(labels: readonly string[], body: TS.Statement, original: TS.Statement): TS.Statement {
  if (labels.length === 0) return body;
  let result = body;
  for (let i = labels.length - 1; i >= 0; i--) result = f.createLabeledStatement(labels[i]!, result);
  return ts.setTextRange(result, original);
}

export function boundIdentifiers(name: TS.BindingName, out: TS.Identifier[] = []): TS.Identifier[] {
  if (ts.isIdentifier(name)) out.push(name);
  else for (const e of name.elements) if (!ts.isOmittedExpression(e)) boundIdentifiers(e.name, out);
  return out;
}

/** A binding pattern as an assignment target (`{ a, b: [c] }` → `{ a: $L.a, b: [$L.c] }`). */
export function patternTarget(name: TS.BindingName, analysis: Analysis, access: Access, rewrite: (e: TS.Expression) => TS.Expression): TS.Expression {
  if (ts.isIdentifier(name)) {
    const binding = analysis.bindingOf(name);
    return binding && binding.storage !== "local" ? bindingTarget(binding, access) : name;
  }
  const withDefault = (target: TS.Expression, init: TS.Expression | undefined) => (init ? f.createAssignment(target, rewrite(init)) : target);
  if (ts.isObjectBindingPattern(name)) {
    return f.createObjectLiteralExpression(
      name.elements.map((e) => {
        const target = patternTarget(e.name, analysis, access, rewrite);
        if (e.dotDotDotToken) return f.createSpreadAssignment(target);
        const key = e.propertyName ?? (e.name as TS.Identifier);
        const keyNode = ts.isComputedPropertyName(key) ? f.createComputedPropertyName(rewrite(key.expression)) : ts.isIdentifier(key) ? f.createIdentifier(key.text) : key;
        return f.createPropertyAssignment(keyNode as TS.PropertyName, withDefault(target, e.initializer));
      }),
    );
  }
  return f.createArrayLiteralExpression(
    name.elements.map((e) => {
      if (ts.isOmittedExpression(e)) return f.createOmittedExpression();
      const target = patternTarget(e.name, analysis, access, rewrite);
      return e.dotDotDotToken ? f.createSpreadElement(target) : withDefault(target, e.initializer);
    }),
  );
}

/**
 * A declaration of frame variables as assignments: boxes are made fresh first, `let x;` resets
 * to undefined (a loop body re-entered starts over), `var x;` keeps its value.
 */
export function declarationAssignments(list: TS.VariableDeclarationList, rewrite: (e: TS.Expression) => TS.Expression, analysis: Analysis, access: Access, initialiser?: (d: TS.VariableDeclaration) => TS.Expression | undefined): TS.Expression[] {
  const lexical = (list.flags & ts.NodeFlags.BlockScoped) !== 0;
  const out: TS.Expression[] = [];
  for (const d of list.declarations) {
    const init = initialiser ? initialiser(d) : d.initializer ? rewrite(d.initializer) : undefined;
    if (ts.isIdentifier(d.name)) {
      const binding = analysis.bindingOf(d.name);
      const value = init ?? (lexical ? f.createVoidZero() : undefined);
      if (!binding || binding.storage === "local") {
        if (value) out.push(f.createAssignment(d.name, value));
      } else if (binding.storage === "box") {
        out.push(ts.setTextRange(f.createAssignment(access.kind === "step" ? prop(LOCALS, binding.key) : prop(CLOSURE_ENV, binding.key), runtimeCall("box", [value ?? f.createVoidZero()])), d));
      } else if (value) {
        out.push(ts.setTextRange(f.createAssignment(bindingTarget(binding, access), value), d));
      }
      continue;
    }
    for (const name of boundIdentifiers(d.name)) {
      const binding = analysis.bindingOf(name);
      if (binding?.storage === "box") out.push(f.createAssignment(prop(LOCALS, binding.key), runtimeCall("box", [f.createVoidZero()])));
    }
    out.push(ts.setTextRange(f.createAssignment(patternTarget(d.name, analysis, access, rewrite) as TS.ObjectLiteralExpression, init ?? f.createVoidZero()), d));
  }
  return out;
}

export { id };
