// Which frame variables are live across each await: declared before it in a scope that
// contains it, and read after it (or anywhere in a loop around it). Resume points list them,
// so a snapshot can be mapped onto edited code, and tspc checks their types.
import type TS from "typescript";
import { ts } from "./typescript.ts";
import type { Analysis, Binding } from "./scope.ts";

export class Liveness {
  private readonly declarations = new Map<Binding, TS.Identifier>();
  private readonly references = new Map<Binding, TS.Identifier[]>();
  readonly awaits: TS.AwaitExpression[] = [];

  constructor(fn: TS.FunctionLikeDeclaration, analysis: Analysis) {
    const visit = (node: TS.Node): void => {
      if (ts.isAwaitExpression(node)) this.awaits.push(node);
      if (ts.isIdentifier(node)) {
        const binding = analysis.bindingOf(node);
        if (binding && binding.storage !== "local") {
          const parent = node.parent;
          const isDeclaration = (ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isBindingElement(parent) || ts.isFunctionDeclaration(parent)) && parent.name === node;
          if (isDeclaration) {
            if (!this.declarations.has(binding)) this.declarations.set(binding, node);
          } else {
            const list = this.references.get(binding);
            if (list) list.push(node);
            else this.references.set(binding, [node]);
          }
        }
      }
      if (!ts.isFunctionLike(node) || node === fn) ts.forEachChild(node, visit);
    };
    visit(fn);
  }

  /** The bindings live across `awaitNode`, in declaration order. */
  at(awaitNode: TS.Node): Binding[] {
    const live: Binding[] = [];
    for (const [binding, declaration] of this.declarations) if (this.isLive(binding, declaration, awaitNode)) live.push(binding);
    return live;
  }

  /** Is the binding live across some await? */
  acrossAnyAwait(binding: Binding): boolean {
    const declaration = this.declarations.get(binding);
    return declaration !== undefined && this.awaits.some((a) => this.isLive(binding, declaration, a));
  }

  declarationOf(binding: Binding): TS.Identifier | undefined {
    return this.declarations.get(binding);
  }

  get declared(): ReadonlyMap<Binding, TS.Identifier> {
    return this.declarations;
  }

  private isLive(binding: Binding, declaration: TS.Identifier, awaitNode: TS.Node): boolean {
    if (!isInside(awaitNode, binding.scope.node)) return false;
    // `const x = await …` is declared by its await, not before it.
    const declarationNode = ts.findAncestor(declaration, (n) => ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isFunctionDeclaration(n)) ?? declaration;
    // A for…in/of variable is bound after its loop's iterable is evaluated, though written before it.
    const loopHead = declarationNode.parent?.parent;
    const inIterable = loopHead !== undefined && (ts.isForInStatement(loopHead) || ts.isForOfStatement(loopHead)) && isInside(awaitNode, loopHead.expression);
    // A `var` is hoisted: it exists from the function's start, wherever it is written.
    const declaredBefore = (binding.isVar || awaitNode.pos > declaration.end) && !boundAfter(declaration, declarationNode, awaitNode) && !inIterable;
    // A closure may read a captured variable whenever it is called, wherever it was written.
    if (binding.captured && declaredBefore) return true;
    const references = this.references.get(binding) ?? [];
    // Operands left of the await in its own expression may be read after it (expressions.ts re-reads
    // a local rather than holding it in a temp when nothing can change it meanwhile).
    const expression = fullExpression(awaitNode);
    const readAfter = (r: TS.Node) => r.pos > awaitNode.end || (isInside(r, expression) && !isInside(r, awaitNode));
    if (declaredBefore && references.some(readAfter)) return true;
    // Around a loop, a read earlier in the body (or in the loop's own head) comes after the await too.
    for (let loop: TS.Node | undefined = awaitNode.parent; loop; loop = loop.parent) {
      if (ts.isIterationStatement(loop, false) && repeats(loop, awaitNode) && !isInside(declaration, loop.statement) && !boundEachIteration(loop, declaration) && references.some((r) => isInside(r, loop!) && repeats(loop as TS.IterationStatement, r))) return true;
      if (loop === binding.scope.node) break;
    }
    return false;
  }
}

/**
 * Is the variable bound only after this await of its own declaration? The initializer runs first;
 * then a destructuring pattern binds its elements left to right, each after its default.
 */
function boundAfter(declaration: TS.Identifier, declarationNode: TS.Node, awaitNode: TS.Node): boolean {
  if (!isInside(awaitNode, declarationNode)) return false;
  if (ts.isVariableDeclaration(declarationNode) && declarationNode.initializer && isInside(awaitNode, declarationNode.initializer)) return true;
  const element = ts.isBindingElement(declaration.parent) ? declaration.parent : declaration;
  return element.end > awaitNode.pos;
}

/** A for…in/of variable is bound afresh from the iterable before each iteration reads it. */
function boundEachIteration(loop: TS.IterationStatement, declaration: TS.Node): boolean {
  return (ts.isForInStatement(loop) || ts.isForOfStatement(loop)) && isInside(declaration, loop.initializer);
}

/** Does `node` run on every iteration of `loop` (not just once, like a for-of's iterable or a for's initializer)? */
function repeats(loop: TS.IterationStatement, node: TS.Node): boolean {
  if (ts.isForInStatement(loop) || ts.isForOfStatement(loop)) return isInside(node, loop.statement);
  if (ts.isForStatement(loop)) return !(loop.initializer && isInside(node, loop.initializer));
  return true;
}

/** The outermost expression the await is part of (up to its statement, declaration or function). */
function fullExpression(node: TS.Node): TS.Node {
  let current = node;
  while (current.parent && (ts.isExpression(current.parent) || ts.isSpreadAssignment(current.parent) || ts.isPropertyAssignment(current.parent) || ts.isShorthandPropertyAssignment(current.parent) || ts.isTemplateSpan(current.parent) || ts.isComputedPropertyName(current.parent)) && !ts.isFunctionLike(current.parent)) {
    current = current.parent;
  }
  return current;
}

function isInside(node: TS.Node, container: TS.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}
