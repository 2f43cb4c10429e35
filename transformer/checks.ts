// Type-based checks, when a type checker is at hand (tspc): locals whose type cannot be
// snapshotted, live across an await, and `for…of` over iterables that cannot resume by index.
import ts from "typescript";
import { TransformError } from "./diagnostics.ts";
import type { Analysis, Binding } from "./scope.ts";

const PROCESS_STATE = /^(Socket|Server|TLSSocket|Duplex|Readable|Writable|Transform|ReadStream|WriteStream|ReadableStream|WritableStream|ChildProcess|Worker|FileHandle|MessagePort|WebSocket|EventEmitter|AbortController|Promise)$/;
const ITERATORS = /^(Generator|AsyncGenerator|Iterator|IterableIterator|AsyncIterator|AsyncIterableIterator|IteratorObject|ArrayIterator|MapIterator|SetIterator|StringIterator|RegExpStringIterator|BuiltinIterator)$/;

/** Is the array, tuple or string type safe to walk by index? */
export function isIndexable(type: ts.Type, checker: ts.TypeChecker): boolean {
  if (type.isUnion()) return type.types.every((t) => isIndexable(t, checker));
  if (type.flags & ts.TypeFlags.StringLike) return true;
  return checker.isArrayType(type) || checker.isTupleType(type);
}

function typeName(type: ts.Type): string | undefined {
  return (type.aliasSymbol ?? type.getSymbol())?.getName();
}

/** Why a value of this type cannot be in a snapshot, or undefined when it can (as far as types tell). */
function unserializable(type: ts.Type, checker: ts.TypeChecker, declaration: ts.Node): { name: "iteratorAcrossAwait" | "notSerializableAcrossAwait"; detail: string } | undefined {
  if (type.isUnion()) {
    for (const t of type.types) {
      const found = unserializable(t, checker, declaration);
      if (found) return found;
    }
    return undefined;
  }
  const name = typeName(type);
  if (name && ITERATORS.test(name)) return { name: "iteratorAcrossAwait", detail: checker.typeToString(type) };
  if (name && PROCESS_STATE.test(name)) return { name: "notSerializableAcrossAwait", detail: checker.typeToString(type) };
  if (type.getCallSignatures().length > 0 && !type.getProperty("taskReference")) {
    // Functions written inside the workflow are lifted into serializable closures.
    const init = ts.isVariableDeclaration(declaration) ? declaration.initializer : undefined;
    const written = init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init));
    if (!written && !ts.isFunctionDeclaration(declaration)) return { name: "notSerializableAcrossAwait", detail: `${checker.typeToString(type)} (a function that is not a task)` };
  }
  return undefined;
}

/** Is the binding read after some await that follows its declaration (or around a loop with an await)? */
function liveAcrossAwait(binding: Binding, declaration: ts.Identifier, references: readonly ts.Identifier[], awaits: readonly ts.Node[]): boolean {
  for (const a of awaits) {
    if (!isInside(a, binding.scope.node)) continue;
    if (a.pos > declaration.end && references.some((r) => r.pos > a.end)) return true;
    for (let loop: ts.Node | undefined = a.parent; loop && loop !== binding.scope.node; loop = loop.parent) {
      if (ts.isIterationStatement(loop, false) && !isInside(declaration, bodyOf(loop)) && references.some((r) => isInside(r, loop!))) return true;
    }
  }
  return false;
}

function bodyOf(loop: ts.IterationStatement): ts.Node {
  return loop.statement;
}

function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}

export function checkFrameTypes(fn: ts.FunctionLikeDeclaration, analysis: Analysis, checker: ts.TypeChecker): void {
  const awaits: ts.Node[] = [];
  const references = new Map<Binding, ts.Identifier[]>();
  const declarations = new Map<Binding, ts.Identifier>();
  const visit = (node: ts.Node): void => {
    if (ts.isAwaitExpression(node)) awaits.push(node);
    if (ts.isIdentifier(node)) {
      const binding = analysis.bindingOf(node);
      if (binding && binding.storage !== "local") {
        const parent = node.parent;
        const isDeclaration = (ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isBindingElement(parent) || ts.isFunctionDeclaration(parent)) && parent.name === node;
        if (isDeclaration && !declarations.has(binding)) declarations.set(binding, node);
        else if (!isDeclaration) references.set(binding, [...(references.get(binding) ?? []), node]);
      }
    }
    if (!ts.isFunctionLike(node) || node === fn) ts.forEachChild(node, visit);
  };
  visit(fn);
  for (const [binding, declaration] of declarations) {
    if (!liveAcrossAwait(binding, declaration, references.get(binding) ?? [], awaits)) continue;
    const type = checker.getTypeAtLocation(declaration);
    const problem = unserializable(type, checker, declaration.parent);
    if (problem) throw new TransformError(problem.name, declaration, `\`${binding.name}\` is ${problem.detail}`);
  }
}
