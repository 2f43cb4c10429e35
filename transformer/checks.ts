// Type-based checks, when a type checker is at hand (tspc): locals whose type cannot be
// snapshotted, live across an await, and `for…of` over iterables that cannot resume by index.
import type TS from "typescript";
import { ts } from "./typescript.ts";
import { TransformError } from "./diagnostics.ts";
import type { Liveness } from "./liveness.ts";

const PROCESS_STATE = /^(Socket|Server|TLSSocket|Duplex|Readable|Writable|Transform|ReadStream|WriteStream|ReadableStream|WritableStream|ChildProcess|Worker|FileHandle|MessagePort|WebSocket|EventEmitter|AbortController|Promise)$/;
const ITERATORS = /^(Generator|AsyncGenerator|Iterator|IterableIterator|AsyncIterator|AsyncIterableIterator|IteratorObject|ArrayIterator|MapIterator|SetIterator|StringIterator|RegExpStringIterator|BuiltinIterator)$/;

/** Is the array, tuple or string type safe to walk by index? */
export function isIndexable(type: TS.Type, checker: TS.TypeChecker): boolean {
  if (type.isUnion()) return type.types.every((t) => isIndexable(t, checker));
  if (type.flags & ts.TypeFlags.StringLike) return true;
  return checker.isArrayType(type) || checker.isTupleType(type);
}

function typeName(type: TS.Type): string | undefined {
  return (type.aliasSymbol ?? type.getSymbol())?.getName();
}

/** Why a value of this type cannot be in a snapshot, or undefined when it can (as far as types tell). */
function unserializable(type: TS.Type, checker: TS.TypeChecker, declaration: TS.Node): { name: "iteratorAcrossAwait" | "notSerializableAcrossAwait"; detail: string } | undefined {
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

export function checkFrameTypes(liveness: Liveness, checker: TS.TypeChecker): void {
  for (const [binding, declaration] of liveness.declared) {
    if (!liveness.acrossAnyAwait(binding)) continue;
    const type = checker.getTypeAtLocation(declaration);
    const problem = unserializable(type, checker, declaration.parent);
    if (problem) throw new TransformError(problem.name, declaration, `\`${binding.name}\` is ${problem.detail}`);
  }
}
