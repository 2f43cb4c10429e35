// The frame of a compiled workflow and the tables its step function is laid out with.
// Everything in `Frame` except `pc`, `sent`, `caught` and `args` is what a snapshot keeps.
import type { Outcome } from "./outcome.ts";

/** How a `finally` block was entered, kept until it ends (so an await inside `finally` resumes it). */
export type Completion =
  | { readonly type: "throw"; readonly value: unknown }
  | { readonly type: "return"; readonly value: unknown; readonly via: readonly number[] }
  | { readonly type: "jump"; readonly target: number; readonly via: readonly number[] };

export interface Frame {
  /** The state the step function runs next. */
  pc: number;
  /** The workflow's variables that live across awaits, by source name (`x$1` for a shadowing `x`). */
  locals: Record<string, unknown>;
  /** Values the transformer held aside to keep left-to-right order across an await (`t0`, `t1`, …). */
  temps: Record<string, unknown>;
  /** Pending completions of `finally` blocks, by try-region index. */
  completions: Record<number, Completion>;
  /** The outcome handed to the state after an await. */
  sent: Outcome | undefined;
  /** What the workflow awaits when a step returns SUSPENDED. */
  awaiting: unknown;
  /** The value returned when a step returns COMPLETED. */
  result: unknown;
  /** The error a `catch` block is about to bind. */
  caught: unknown;
  /** The call's arguments, until the first state binds the parameters. */
  args: unknown[] | undefined;
}

/** What a step function returns (it throws when the workflow fails). */
export const SUSPENDED = 1;
export const COMPLETED = 2;
export type StepSignal = typeof SUSPENDED | typeof COMPLETED;

/** A try statement of the workflow: where its catch and finally blocks start, and its enclosing context. */
export interface TryRegion {
  /** Context of the try statement itself: `region * 2 + area`, or -1 at top level. */
  readonly parent: number;
  readonly catchState: number;
  readonly finallyState: number;
}

/** Where an await sits: its stable key, the state after it, and its line in the source. */
export interface ResumePoint {
  readonly key: string;
  readonly state: number;
  readonly line: number;
  readonly source: string;
  /** Frame keys of the variables live across the await. */
  readonly locals: readonly string[];
  /** What each temp live across the await holds (`for…of items of xs`…), by slot. */
  readonly temps: readonly string[];
  /** Try regions whose finally block the await is in, innermost first. */
  readonly finallies: readonly number[];
}

export function newFrame(args: unknown[]): Frame {
  return { pc: 0, locals: {}, temps: {}, completions: {}, sent: undefined, awaiting: undefined, result: undefined, caught: undefined, args };
}
