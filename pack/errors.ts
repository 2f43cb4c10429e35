// The one error type pack throws, and the catalogue of its codes.
// Every failure in encode, decode, dumps, loads and register is a PackError whose
// `code` is stable and whose location (path, offset or line:column) says where.

/** Stable error codes. One code, one meaning, forever. */
export type PackErrorCode =
  | "unsupported-type" // encode: a value pack has no codec for (function, WeakMap, unregistered class …)
  | "class-cycle" // encode: a registered instance is reachable from its own reduced value
  | "class-failed" // reduce() or rebuild() of a registered codec threw
  | "bad-registration" // register(): invalid name, or one name for two classes
  | "malformed" // decode: the input breaks the grammar
  | "truncated" // decode: the input ends in the middle of a value
  | "unknown-version" // decode: the header names a format version this code cannot read
  | "unknown-class" // decode: a registered name that is not registered here
  | "too-deep" // nesting deeper than maxDepth (or than the stack allows)
  | "too-large"; // more nodes or bytes than maxNodes / maxBytes

export interface PackErrorLocation {
  /** On encode: where in the value, e.g. `$.locals.order[2]`. */
  path?: string;
  /** On binary decode: byte offset of the offending value. */
  offset?: number;
  /** On text decode: 1-based line and column. */
  line?: number;
  column?: number;
  cause?: unknown;
}

export class PackError extends Error {
  readonly code: PackErrorCode;
  declare readonly path?: string;
  declare readonly offset?: number;
  declare readonly line?: number;
  declare readonly column?: number;

  constructor(code: PackErrorCode, message: string, where: PackErrorLocation = {}) {
    super(message + describe(where), where.cause === undefined ? undefined : { cause: where.cause });
    this.name = "PackError";
    this.code = code;
    if (where.path !== undefined) this.path = where.path;
    if (where.offset !== undefined) this.offset = where.offset;
    if (where.line !== undefined) this.line = where.line;
    if (where.column !== undefined) this.column = where.column;
  }
}

function describe(where: PackErrorLocation): string {
  if (where.path !== undefined) return ` (at ${where.path})`;
  if (where.offset !== undefined) return ` (at byte ${where.offset})`;
  if (where.line !== undefined) return ` (at line ${where.line}, column ${where.column})`;
  return "";
}

/**
 * Thrown by codecs and shared helpers that do not know where they are; the reader
 * or writer that called them catches it and rethrows a PackError with a location.
 */
export class Unlocated extends Error {
  readonly code: PackErrorCode;
  constructor(code: PackErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Wraps anything thrown inside a reader into a located PackError; PackErrors pass unchanged. */
export function locate(error: unknown, where: PackErrorLocation): PackError {
  if (error instanceof PackError) return error;
  if (error instanceof Unlocated) return new PackError(error.code, error.message, { ...where, cause: error.cause });
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new PackError("too-deep", "input nests deeper than the stack allows", where);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PackError("malformed", `invalid input: ${message}`, { ...where, cause: error });
}

/**
 * Thrown by the writers at the value they cannot encode; encode() and dumps() catch it,
 * find the value's path in the input and throw a PackError naming it.
 */
export class EncodeFailure extends Error {
  readonly code: PackErrorCode;
  readonly value: unknown;
  constructor(code: PackErrorCode, message: string, value: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.value = value;
  }
}
