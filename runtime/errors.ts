// Typed errors the runtime raises about workflows themselves (never about user code, whose errors pass through).

/** A snapshot cannot be resumed: its workflow is not loaded, its resume point is gone, or the code changed. */
export class ResumeError extends Error {
  override name = "ResumeError";
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** A workflow did something the compiled state machine cannot make resumable, found at run time. */
export class WorkflowError extends Error {
  override name = "WorkflowError";
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
