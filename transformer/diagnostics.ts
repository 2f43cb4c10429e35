// The catalogue of everything the transformer refuses, one code per problem, forever.
// A phase that meets one throws a TransformError; the plugin and compile() report it with file:line:col.
import type TS from "typescript";
import { ts } from "./typescript.ts";

export interface DiagnosticEntry {
  readonly code: number;
  readonly message: string;
  /** Why the construct cannot be made resumable. */
  readonly why: string;
  /** What the user can do instead. */
  readonly fix: string;
}

export const catalogue = {
  yieldInWorkflow: { code: 1001, message: "`yield` in a workflow", why: "a workflow is an async function compiled into a state machine; a generator cannot be one", fix: "make the workflow a plain async function and move the generator out of it" },
  withStatement: { code: 1002, message: "`with` in a workflow", why: "`with` makes every name lookup dynamic, so locals cannot be found by name", fix: "use the object's properties explicitly" },
  forAwait: { code: 1003, message: "`for await` in a workflow", why: "an async iterator is live process state that cannot be snapshotted", fix: "collect the items with a task, or await each item by index" },
  thisOrArguments: { code: 1004, message: "`this` or `arguments` in a workflow", why: "a resumed workflow has no receiver or arguments object to restore", fix: "pass what you need as parameters" },
  unsupportedAwait: { code: 1005, message: "`await` in a position the transformer does not handle", why: "this position cannot be split into resumable steps while keeping evaluation order", fix: "assign the awaited value to a local first, then use the local" },
  notAsync: { code: 1006, message: "a workflow must be an async function (not a generator, not a plain function)", why: "only an async function has awaits to checkpoint at", fix: "write `async` before the function" },
  notTopLevel: { code: 1007, message: "a workflow must be defined at the top level of its module", why: "its id (module + name) must be stable across processes, and it cannot capture a surrounding function's locals", fix: "move the workflow to module level" },
  iteratorAcrossAwait: { code: 1008, message: "an iterator or generator is live across an await", why: "an iterator's position is process state that cannot be snapshotted", fix: "materialise it first: Array.from(…) or [...…]" },
  notSerializableAcrossAwait: { code: 1009, message: "a local whose type cannot be serialized is live across an await", why: "a snapshot holds every local; a function that is not a task, a socket or a stream is process state", fix: "make the function a task, or keep the resource inside a task" },
  forOfNotArray: { code: 1010, message: "`for…of` over an iterable that is not an array or string, with an await in its body", why: "only arrays and strings can be resumed by index midway through the loop", fix: "iterate over Array.from(…) or [...…] instead" },
  reservedName: { code: 1011, message: "a name reserved for compiled code is used in a workflow", why: "the compiled state machine uses `$F`, `$L`, `$T`, `$dispatch` and names starting with `__otf`", fix: "rename the variable" },
  varRedeclaresParameter: {
    code: 1013,
    message: "a `var` or function in a workflow's body redeclares a parameter that a function in its parameter list can see",
    why: "with default or destructured parameters JavaScript makes them two variables, the parameter's for those functions and the body's for the rest, and a snapshot holds one of each name",
    fix: "rename the `var` or function (or the parameter)",
  },
  anonymousWorkflow: { code: 1012, message: "a workflow needs a name", why: "its id (module + name) is how snapshots find it again", fix: "assign it to a const (`const name = workflow(async …)`) or name the function" },
} as const satisfies Record<string, DiagnosticEntry>;

export type DiagnosticName = keyof typeof catalogue;

export interface Diagnostic {
  /** `OTF1001` and so on. */
  readonly code: string;
  readonly message: string;
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly start: number;
  readonly length: number;
}

/** An error a phase of the transformer raises at a node it cannot compile. */
export class TransformError extends Error {
  override name = "TransformError";
  readonly entry: DiagnosticEntry;
  readonly node: TS.Node;
  constructor(name: DiagnosticName, node: TS.Node, detail?: string) {
    const entry = catalogue[name];
    super(detail ? `${entry.message}: ${detail}` : entry.message);
    this.entry = entry;
    this.node = node;
  }
}

export function toDiagnostic(error: TransformError, sourceFile: TS.SourceFile): Diagnostic {
  const node = ts.getOriginalNode(error.node);
  const start = node.pos >= 0 ? node.getStart(sourceFile) : 0;
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(start);
  const message = `${error.message}. ${capitalise(error.entry.why)}; ${error.entry.fix}.`;
  return {
    code: `OTF${error.entry.code}`,
    message,
    file: sourceFile.fileName,
    line: line + 1,
    column: character + 1,
    start,
    length: Math.max(1, node.end - start),
  };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** tsc's own format: `file(line,col): error OTF1001: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}(${d.line},${d.column}): error ${d.code}: ${d.message}`;
}
