// How values in a trace read to a person (one line each) and to a script (JSON), and the source
// lines around an await. Shared by `otf trace`, `otf inspect` and the HTML page.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dumps } from "../pack/index.ts";
import { Combinator, Future, type Outcome } from "../runtime/index.ts";
import { taskName } from "./task-name.ts";

/** A value on one line, cut to `max` characters: futures as `isPrime(7) = true`, the rest in pack's compact text. */
export function show(value: unknown, max = 160): string {
  const text = render(value, new Set());
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function render(value: unknown, seen: Set<object>): string {
  if (value instanceof Future) return `${describeAwaited(value)}${value.outcome ? ` = ${describeOutcome(value.outcome)}` : " (pending)"}`;
  if (value instanceof Combinator) return describeAwaited(value);
  if (typeof value === "object" && value !== null && !seen.has(value)) {
    const prototype = Object.getPrototypeOf(value);
    if (Array.isArray(value) || prototype === Object.prototype || prototype === null) {
      seen.add(value);
      const text = Array.isArray(value)
        ? `[${value.map((v) => render(v, seen)).join(", ")}]`
        : `{${Object.entries(value).map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${render(v, seen)}`).join(", ")}}`;
      seen.delete(value);
      return text;
    }
  }
  try {
    return dumps(value).replace(/^pack\/\d+ /, "");
  } catch {
    return String(value);
  }
}

/** What an await waited on: `isPrime(7)`, `all(isPrime(1), isPrime(2))`, or the plain value. */
export function describeAwaited(awaiting: unknown): string {
  if (awaiting instanceof Future) return `${taskName(awaiting.task)}(${awaiting.args.map((a) => show(a, 40)).join(", ")})`;
  if (awaiting instanceof Combinator) return `${awaiting.kind}(${awaiting.items.map(describeAwaited).join(", ")})`;
  return show(awaiting);
}

export function describeOutcome(outcome: Outcome | undefined): string {
  if (!outcome) return "(not settled)";
  if (outcome.kind === "value") return show(outcome.value);
  const error = outcome.error as { name?: string; message?: string };
  return error instanceof Error ? `threw ${error.name}: ${error.message}` : `threw ${show(error)}`;
}

/** The error's stack, or its text. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return show(error);
  let text = error.stack ?? `${error.name}: ${error.message}`;
  if (error.cause !== undefined) text += `\ncaused by: ${describeError(error.cause)}`;
  return text;
}

export interface SourceLine {
  readonly number: number;
  readonly text: string;
  readonly marked: boolean;
}

const sources = new Map<string, string[] | undefined>();

/** The lines around `line` of the module's file, the await's own line marked; empty if the file is gone. */
export function sourceAround(module: string, line: number, before = 4, after = 2): SourceLine[] {
  if (!sources.has(module)) {
    try {
      sources.set(module, readFileSync(module.startsWith("file:") ? fileURLToPath(module) : module, "utf8").split("\n"));
    } catch {
      sources.set(module, undefined);
    }
  }
  const lines = sources.get(module);
  if (!lines) return [];
  const from = Math.max(1, line - before);
  const to = Math.min(lines.length, line + after);
  const window: SourceLine[] = [];
  for (let n = from; n <= to; n++) window.push({ number: n, text: lines[n - 1]!, marked: n === line });
  return window;
}

/** A value as JSON can hold it: futures, errors, bigints, maps and sets in readable shapes. */
export function jsonable(value: unknown, seen = new Set<object>()): unknown {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "undefined") return null;
  if (typeof value !== "object" || value === null) return typeof value === "function" ? `[function ${value.name}]` : value;
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  try {
    if (value instanceof Future) return { future: value.id, task: taskName(value.task), args: jsonable(value.args, seen), outcome: jsonable(value.outcome, seen) };
    if (value instanceof Combinator) return { combinator: value.kind, items: jsonable(value.items, seen) };
    if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack, ...(value.cause === undefined ? {} : { cause: jsonable(value.cause, seen) }) };
    if (value instanceof Date) return value.toISOString();
    if (value instanceof Map) return { map: [...value].map(([k, v]) => [jsonable(k, seen), jsonable(v, seen)]) };
    if (value instanceof Set) return { set: [...value].map((v) => jsonable(v, seen)) };
    if (Array.isArray(value)) return value.map((v) => jsonable(v, seen));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonable(v, seen)]));
  } finally {
    seen.delete(value);
  }
}
