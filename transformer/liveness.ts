// Which frame variables are live across each await: declared before it in a scope that
// contains it, and read after it (or anywhere in a loop around it). Resume points list them,
// so a snapshot can be mapped onto edited code, and tspc checks their types.
import ts from "typescript";
import type { Analysis, Binding } from "./scope.ts";

export class Liveness {
  private readonly declarations = new Map<Binding, ts.Identifier>();
  private readonly references = new Map<Binding, ts.Identifier[]>();
  readonly awaits: ts.AwaitExpression[] = [];

  constructor(fn: ts.FunctionLikeDeclaration, analysis: Analysis) {
    const visit = (node: ts.Node): void => {
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
  at(awaitNode: ts.Node): Binding[] {
    const live: Binding[] = [];
    for (const [binding, declaration] of this.declarations) if (this.isLive(binding, declaration, awaitNode)) live.push(binding);
    return live;
  }

  /** Is the binding live across some await? */
  acrossAnyAwait(binding: Binding): boolean {
    const declaration = this.declarations.get(binding);
    return declaration !== undefined && this.awaits.some((a) => this.isLive(binding, declaration, a));
  }

  declarationOf(binding: Binding): ts.Identifier | undefined {
    return this.declarations.get(binding);
  }

  get declared(): ReadonlyMap<Binding, ts.Identifier> {
    return this.declarations;
  }

  private isLive(binding: Binding, declaration: ts.Identifier, awaitNode: ts.Node): boolean {
    if (!isInside(awaitNode, binding.scope.node)) return false;
    // A closure may read a captured variable whenever it is called, wherever it was written.
    if (binding.captured && awaitNode.pos > declaration.end) return true;
    const references = this.references.get(binding) ?? [];
    if (awaitNode.pos > declaration.end && references.some((r) => r.pos > awaitNode.end)) return true;
    for (let loop: ts.Node | undefined = awaitNode.parent; loop && loop !== binding.scope.node; loop = loop.parent) {
      if (ts.isIterationStatement(loop, false) && !isInside(declaration, loop.statement) && references.some((r) => isInside(r, loop!))) return true;
    }
    return false;
  }
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}
