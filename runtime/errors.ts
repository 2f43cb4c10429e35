// Typed errors the runtime raises about workflows themselves (never about user code, whose errors pass through).

/** An error with a stable `code` that programs can branch on. */
export abstract class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** A snapshot cannot be resumed: its workflow is not loaded, its resume point is gone, or the code changed. */
export class ResumeError extends CodedError {
  override name = "ResumeError";
}

/** A workflow did something the compiled state machine cannot make resumable, found at run time. */
export class WorkflowError extends CodedError {
  override name = "WorkflowError";
}

/** A suspension cannot be stored: one of its values is process state (a function, a socket, a Promise…). */
export class SnapshotError extends CodedError {
  override name = "SnapshotError";
  /** The workflow's local that holds it, when it is a local. */
  readonly variable: string | undefined;
  /** Where it is inside the value, as pack names it (`$.locals.order.customer`). */
  readonly path: string;
  constructor(message: string, variable: string | undefined, path: string, cause: unknown) {
    super("not-serializable", message);
    this.variable = variable;
    this.path = path;
    this.cause = cause;
  }
}
