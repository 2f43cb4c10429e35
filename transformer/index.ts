// otf's transformer: compiles workflows into resumable state machines. Public face.
export { compile, type CompileOptions, type CompileResult } from "./compile.ts";
export { workflowTransformer, type TransformOptions } from "./transform.ts";
export { compileProgram, type ProgramResult } from "./program.ts";
export type { PluginConfig } from "./plugin.ts";
export { catalogue, formatDiagnostic, TransformError, type Diagnostic } from "./diagnostics.ts";
