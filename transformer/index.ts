// otf's transformer: compiles workflows into resumable state machines. Public face.
export { compile, type CompileOptions, type CompileResult } from "./compile.ts";
export { workflowTransformer, type TransformOptions } from "./transform.ts";
export { catalogue, formatDiagnostic, TransformError, type Diagnostic } from "./diagnostics.ts";
