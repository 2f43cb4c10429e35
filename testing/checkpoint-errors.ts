// Why a checkpoint cannot be stored: which variable holds what pack cannot encode, at which
// await (file:line), and where inside the value. Read from the path of pack's error.
import { fileURLToPath } from "node:url";
import { relative } from "node:path";
import { loadedWorkflow, type Suspension } from "otf";
import { PackError } from "otf/pack";

/** A checkpoint that does not survive pack (it cannot be encoded, or not decoded again). */
export class UnpackableCheckpoint extends Error {
  override name = "UnpackableCheckpoint";
  /** The local that holds the value, when it is a local. */
  readonly variable: string | undefined;
  /** `file:line` of the await. */
  readonly where: string;
  /** Path of the value inside the local (or inside the suspension when it is not a local). */
  readonly path: string;
  constructor(message: string, variable: string | undefined, where: string, path: string) {
    super(message);
    this.variable = variable;
    this.where = where;
    this.path = path;
  }
}

/** `file:line` of a suspension's await, the file relative to the working directory. */
export function awaitLocation(suspension: Suspension): string {
  return `${awaitFile(loadedWorkflow(suspension.workflowId)?.module, suspension.workflowId)}:${suspension.line}`;
}

/** A workflow's source file, relative to the working directory when its module is a file. */
export function awaitFile(module: string | undefined, workflowId: string): string {
  return module?.startsWith("file:") ? relative(process.cwd(), fileURLToPath(module)) : workflowId.slice(0, workflowId.lastIndexOf("#"));
}

const SEGMENT = /^(?:\.([A-Za-z_$][\w$]*)|\[("(?:[^"\\]|\\.)*")\])(.*)$/;

/** Turns pack's error on checkpoint #`index` into a report that names the variable and the await. */
export function unpackable(suspension: Suspension, index: number, error: unknown, stage: "encode" | "decode"): UnpackableCheckpoint {
  const where = awaitLocation(suspension);
  const at = `the await at ${where} (\`${suspension.source}\`)`;
  const reason = error instanceof Error ? error.message.replace(/ \(at [^)]*\)$/, "") : String(error);
  if (stage === "decode") {
    return new UnpackableCheckpoint(`checkpoint #${index} at ${at} was packed but cannot be unpacked: ${error instanceof Error ? error.message : String(error)}`, undefined, where, "$");
  }
  const path = error instanceof PackError && error.path ? error.path.replace(/^\$@otf\.Suspension/, "$") : "$";
  const part = /^\$\.(locals|temps|awaiting|completions)(.*)$/.exec(path);
  if (part?.[1] === "locals") {
    const segment = SEGMENT.exec(part[2]!);
    if (segment) {
      const variable = segment[1] ?? (JSON.parse(segment[2]!) as string);
      const inside = `${variable}${segment[3]}`;
      return new UnpackableCheckpoint(
        `checkpoint #${index} cannot be packed: local \`${variable}\` is live across ${at} and holds a value pack cannot encode, at ${inside}: ${reason}`,
        variable,
        where,
        inside,
      );
    }
  }
  if (part?.[1] === "awaiting") {
    const inside = `(awaited value)${part[2]}`;
    return new UnpackableCheckpoint(
      `checkpoint #${index} cannot be packed: ${at} awaits a value pack cannot encode, at ${inside}: ${reason}. A workflow awaits futures (defer(task, …)), their combinators and plain values; a Promise started in the workflow does not survive a snapshot`,
      undefined,
      where,
      inside,
    );
  }
  const what = part?.[1] === "temps" ? "a value the workflow holds aside while awaiting (an operand evaluated before the await)" : "the checkpoint";
  return new UnpackableCheckpoint(`checkpoint #${index} cannot be packed: ${what}, at ${at}, holds a value pack cannot encode, at ${path}: ${reason}`, undefined, where, path);
}
