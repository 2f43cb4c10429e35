// Typed errors the runtime raises about workflows themselves (never about user code, whose errors pass through).

/** An error with a stable `code` that programs can branch on. */
abstract class CodedError extends Error {
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
