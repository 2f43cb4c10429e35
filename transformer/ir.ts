// The intermediate form of a lowered workflow, written down first (STYLE.md): everything after
// reads against it.
//
// A workflow becomes a *step function* over a *frame*:
//
//   function name($F) {                       // $F: the Frame (runtime/frame.ts)
//     const $L = $F.locals, $T = $F.temps;    // locals by source name; temps held across awaits
//     $dispatch: for (;;) {
//       try {
//         switch ($F.pc) {
//           case 0: …statements…              // a *state*: code that runs without awaiting
//           case 3: …
//         }
//       } catch ($e) { if (!__otf.unwind($F, $e, CONTEXTS, REGIONS)) throw $e; }
//     }
//   }
//
// Each state ends in one of:
//   goto N      `$F.pc = N; continue $dispatch;` (or falls into the next state when it is N)
//   suspend     `$F.awaiting = value; $F.pc = N; return 1;`  N is the state after the await;
//               it starts with `__otf.take($F)`, which gives the outcome or throws its error
//   return      `$F.result = value; return 2;`, or entering the finally blocks on the way out
//   throw       a plain `throw`: the catch around the switch routes it (below)
//
// Try regions. Each try statement that contains an await is a region: where its catch and
// finally blocks start, and the context of the try statement itself. Every state has a
// *context* (CONTEXTS[state]): `region * 2 + 0` inside the try block, `region * 2 + 1`
// inside the catch block, -1 outside any region; a finally block has the context of its try
// statement. An error thrown in a state goes to the catch of its region (from the try block),
// else to its finally with a pending `throw` completion, else outward to the parent context.
// A return, break or continue that leaves a region with a finally stores a completion
// (`return` value or `jump` target, with the finally blocks still to cross) in
// `$F.completions[region]`; `__otf.endFinally` ends the finally block by resuming it.
// Completions are frame data: an await inside a finally block snapshots like any other.
//
// Bindings (scope.ts). A variable whose scope contains an await lives in the frame, `$L.name`
// (`name$1` for a shadowing one); captured by a closure and declared in a loop, it is a box
// per iteration (`$L.name.value`). Other variables, and every statement with no await in it,
// are emitted as the user wrote them, apart from references to frame variables.
//
// Closures (rewrite.ts). A function nested in the workflow whose captures all live in the
// frame is lifted to a module-level factory with a stable id; the workflow creates it with
// an environment `{ locals: $L, name: box… }`, so pack can store it as `{ id, env }`.

/** The state after which nothing was emitted yet: a number is a state id, which is also its label. */
export type Label = number;

/** What the emitted tables hold for one try statement. */
export interface RegionTable {
  parent: number;
  catchState: number;
  finallyState: number;
}

/** What the emitted tables hold for one await. */
export interface PointTable {
  key: string;
  state: number;
  line: number;
  source: string;
  /** Frame keys of the variables live across the await. */
  locals: string[];
  /** What each temp live across the await holds, by slot (`t0`, `t1`…). */
  temps: string[];
  /** Try regions whose finally block the await is in (innermost first): their completions are pending. */
  finallies: number[];
}
