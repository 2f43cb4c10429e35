// Random workflow programs for the resume property: a small AST of statements and
// expressions, and fast-check arbitraries over it. Names are resolved when the
// program is printed (printer.ts), so every generated tree prints as a valid program
// and shrinking a tree never makes it invalid.
import fc from "fast-check";
import { printProgram } from "./printer.ts";

export type Literal = number | string | boolean | null | undefined;

/**
 * Expressions. A `ref` or `assign` names a variable by an index that the printer
 * resolves against the variables in scope at that point (modulo their count).
 */
export type Expr =
  | { kind: "literal"; value: Literal }
  | { kind: "ref"; pick: number }
  /** `await defer(ok, arg)`, `await defer(fail, "f<tag>")`, or with `plain`, `await arg` (a plain value is a checkpoint too). */
  | { kind: "await"; rejects: boolean; plain: boolean; tag: number; arg: Expr }
  | { kind: "binary"; op: "+" | "-" | "<" | "==="; left: Expr; right: Expr }
  | { kind: "logical"; op: "&&" | "||" | "??"; left: Expr; right: Expr }
  | { kind: "conditional"; test: Expr; then: Expr; else: Expr }
  | { kind: "template"; parts: Expr[] }
  | { kind: "array"; items: Expr[] }
  | { kind: "object"; items: Expr[] }
  | { kind: "assign"; op: "=" | "+="; pick: number; value: Expr }
  | { kind: "all"; combinator: "all" | "race" | "any" | "allSettled"; items: { rejects: boolean; arg: Expr }[] }
  | { kind: "tap"; tag: number; value: Expr }
  | { kind: "concat"; args: Expr[] }
  | { kind: "callClosures" }
  /**
   * `[…before, ...source, …after]`, the same in `Array.of(…)` or an object literal. The source is
   * `log` (the container is then only counted), `input`, `await defer(ok, [value])` or `[value]`.
   */
  | { kind: "spread"; container: "array" | "call" | "object"; source: "log" | "input" | "awaited" | "items"; before: Expr[]; value: Expr; after: Expr[] }
  /** `object?.length`, `object?.[key]` or `object?.hasOwnProperty(key)`; `key` is printed without awaits (OTF1005 refuses them). */
  | { kind: "optional"; form: "member" | "element" | "call"; object: Expr; key: Expr }
  /** `{ [key]: value, … }`: computed keys, evaluated left to right with the values. */
  | { kind: "keyed"; entries: { key: Expr; value: Expr }[] }
  /** `n(arg)()`: calls a nested closure declared by a `nested` statement in scope (else just `arg`). */
  | { kind: "callNested"; pick: number; arg: Expr };

export type LoopKind = "for" | "forOf" | "forIn" | "while" | "doWhile";

/**
 * A case; `awaited`: its label is `(log.push(…), await defer(ok, label))`, evaluated only when reached;
 * `continues`: in a loop, a case that breaks ends with `continue` instead.
 */
export interface SwitchCase { label: Literal; awaited: boolean; body: Stmt[]; breaks: boolean; continues?: boolean; }

export type Stmt =
  | { kind: "log"; tag: number; value: Expr }
  | { kind: "expression"; value: Expr }
  | { kind: "let"; name: number; value: Expr }
  | { kind: "var"; value: Expr }
  | { kind: "destructure"; pattern: "array" | "object"; names: [number, number]; source: Expr[]; fallback: Expr }
  | { kind: "assign"; pick: number; value: Expr }
  | { kind: "if"; test: Expr; then: Stmt[]; else: Stmt[] | null }
  | { kind: "switch"; discriminant: Expr; cases: SwitchCase[]; defaultCase: SwitchCase | null }
  | { kind: "loop"; loop: LoopKind; labelled: boolean; name: number; bound: number; start: Expr | null; test: Expr | null; update: Expr | null; items: Expr[] | null; body: Stmt[] }
  | { kind: "block"; labelled: boolean; body: Stmt[] }
  | { kind: "break"; pick: number }
  | { kind: "continue"; pick: number }
  /** `leaves`: the finally block ends with a `continue` (else `break`) picked by it, preferably labelled. */
  | { kind: "try"; body: Stmt[]; handler: Stmt[] | null; finalizer: Stmt[] | null; leaves: number | null }
  | { kind: "throw"; value: Expr; asError: boolean }
  | { kind: "return"; value: Expr }
  /**
   * `fns.push(() => …)`; with `params`, `(p = capture, ...r) => …`; with a `body`, a block body
   * (printed without awaits, jumps scoped to the closure) ending in the return.
   */
  | { kind: "closure"; captures: number; value: Expr; mutates: number | null; params: boolean; body: Stmt[] | null }
  /** `const nK = (p = capture) => () => [capture, p, value];`: a closure that returns a closure. */
  | { kind: "nested"; captures: number; value: Expr }
  | { kind: "callClosures"; tag: number };

/** A whole program: its body, its argument, and whether an escaping error ends it as a failure. */
export interface Program {
  body: Stmt[];
  input: number[];
  /** true: an error escaping the body is rethrown with the log in its message; false: returned as data. */
  rethrows: boolean;
  /**
   * The workflow's parameters after `input`: `d = <default from input>` and `...rest` (always empty:
   * main gets one argument); with `redeclared`, the body starts with `var d = [d]` (with defaults,
   * JavaScript makes it a second variable; no function in the parameters can tell); absent: none.
   */
  params?: { defaultValue: Literal | null; rest: boolean; redeclared?: boolean };
}

/** How large programs get; the default keeps a few hundred programs within the test budget. */
export interface ProgramShape { statementDepth: number; expressionDepth: number; blockLength: number; }
export const defaultShape: ProgramShape = { statementDepth: 4, expressionDepth: 3, blockLength: 4 };

const literal: fc.Arbitrary<Literal> = fc.oneof(
  fc.integer({ min: -1, max: 3 }),
  fc.constantFrom("a", "b", "", -0, NaN, 1.5),
  fc.boolean(),
  fc.constantFrom(null, undefined),
);
const tag = fc.nat(99);
/** Mostly false, shrinking to false: a rejected future or an error thrown is the rarer case. */
const sometimes = fc.nat(9).map((n) => n === 9);
const pick = fc.nat(7);

function expressions(shape: ProgramShape): fc.Arbitrary<Expr> {
  return fc.letrec<{ expr: Expr }>((tie) => {
    const expr = tie("expr");
    const few = fc.array(expr, { minLength: 1, maxLength: 3 });
    const node = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
    return {
      expr: fc.oneof(
        { maxDepth: shape.expressionDepth, depthIdentifier: "expression", depthSize: "small" },
        node(4, fc.record({ kind: fc.constant("literal" as const), value: literal })),
        node(4, fc.record({ kind: fc.constant("ref" as const), pick })),
        node(6, fc.record({ kind: fc.constant("await" as const), rejects: sometimes, plain: fc.nat(3).map((n) => n === 3), tag, arg: expr })),
        node(1, fc.record({ kind: fc.constant("binary" as const), op: fc.constantFrom("+" as const, "-" as const, "<" as const, "===" as const), left: expr, right: expr })),
        node(2, fc.record({ kind: fc.constant("logical" as const), op: fc.constantFrom("&&" as const, "||" as const, "??" as const), left: expr, right: expr })),
        node(1, fc.record({ kind: fc.constant("conditional" as const), test: expr, then: expr, else: expr })),
        node(1, fc.record({ kind: fc.constant("template" as const), parts: few })),
        node(1, fc.record({ kind: fc.constant("array" as const), items: fc.array(expr, { maxLength: 3 }) })),
        node(1, fc.record({ kind: fc.constant("object" as const), items: fc.array(expr, { maxLength: 3 }) })),
        node(2, fc.record({ kind: fc.constant("assign" as const), op: fc.constantFrom("=" as const, "+=" as const), pick, value: expr })),
        node(1, fc.record({ kind: fc.constant("all" as const), combinator: fc.constantFrom("all" as const, "race" as const, "any" as const, "allSettled" as const), items: fc.array(fc.record({ rejects: sometimes, arg: expr }), { maxLength: 3 }) })),
        node(2, fc.record({ kind: fc.constant("tap" as const), tag, value: expr })),
        node(1, fc.record({ kind: fc.constant("concat" as const), args: few })),
        node(1, fc.constant({ kind: "callClosures" as const })),
        node(1, fc.record({
          kind: fc.constant("spread" as const),
          container: fc.constantFrom("array" as const, "call" as const, "object" as const),
          source: fc.constantFrom("log" as const, "input" as const, "awaited" as const, "items" as const),
          before: fc.array(expr, { maxLength: 2 }),
          value: expr,
          after: fc.array(expr, { maxLength: 2 }),
        })),
        node(1, fc.record({ kind: fc.constant("optional" as const), form: fc.constantFrom("member" as const, "element" as const, "call" as const), object: expr, key: expr })),
        node(1, fc.record({ kind: fc.constant("keyed" as const), entries: fc.array(fc.record({ key: expr, value: expr }), { minLength: 1, maxLength: 3 }) })),
        node(1, fc.record({ kind: fc.constant("callNested" as const), pick, arg: expr })),
      ),
    };
  }).expr;
}

function statements(shape: ProgramShape): fc.Arbitrary<Stmt[]> {
  const expr = expressions(shape);
  return fc.letrec<{ stmt: Stmt; block: Stmt[]; top: Stmt[] }>((tie) => {
    const block = tie("block");
    const stmt = tie("stmt");
    // Weights are doubled so that throw and return, which end the rest of a block, can be rarer.
    const node = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight: weight * 2, arbitrary });
    const rare = <T>(arbitrary: fc.Arbitrary<T>) => ({ weight: 1, arbitrary });
    const switchCase = fc.record({ label: fc.constantFrom<Literal>(0, 1, 2, "a"), awaited: sometimes, body: block, breaks: fc.boolean(), continues: fc.boolean() });
    const loop = (kind: LoopKind) =>
      fc.record({
        kind: fc.constant("loop" as const),
        loop: fc.constant(kind),
        labelled: fc.boolean(),
        name: fc.nat(1),
        bound: fc.integer({ min: 1, max: 3 }),
        start: kind === "for" ? fc.option(expr, { nil: null, freq: 3 }) : fc.constant(null),
        update: kind === "for" ? fc.option(expr, { nil: null, freq: 3 }) : fc.constant(null),
        test: fc.option(expr, { nil: null }),
        items: kind === "forOf" || kind === "forIn" ? fc.array(expr, { maxLength: 3 }) : fc.constant(null),
        body: block,
      });
    return {
      top: fc.array(stmt, { minLength: 3, maxLength: shape.blockLength + 4, size: "medium", depthIdentifier: "statement" }),
      block: fc.array(stmt, { minLength: 1, maxLength: shape.blockLength, size: "medium", depthIdentifier: "statement" }),
      stmt: fc.oneof(
        { maxDepth: shape.statementDepth, depthIdentifier: "statement", depthSize: "medium" },
        node(4, fc.record({ kind: fc.constant("log" as const), tag, value: expr })),
        node(3, fc.record({ kind: fc.constant("expression" as const), value: expr })),
        node(3, fc.record({ kind: fc.constant("let" as const), name: fc.nat(2), value: expr })),
        node(1, fc.record({ kind: fc.constant("var" as const), value: expr })),
        node(1, fc.record({
          kind: fc.constant("destructure" as const),
          pattern: fc.constantFrom("array" as const, "object" as const),
          names: fc.tuple(fc.nat(2), fc.nat(2)),
          source: fc.array(expr, { maxLength: 2 }),
          fallback: expr,
        })),
        node(2, fc.record({ kind: fc.constant("assign" as const), pick, value: expr })),
        node(3, fc.record({ kind: fc.constant("if" as const), test: expr, then: block, else: fc.option(block, { nil: null }) })),
        node(2, fc.record({ kind: fc.constant("switch" as const), discriminant: expr, cases: fc.array(switchCase, { minLength: 1, maxLength: 3 }), defaultCase: fc.option(switchCase, { nil: null }) })),
        node(1, loop("for")),
        node(1, loop("forOf")),
        node(1, loop("forIn")),
        node(1, loop("while")),
        node(1, loop("doWhile")),
        node(1, fc.record({ kind: fc.constant("block" as const), labelled: fc.boolean(), body: block })),
        node(2, fc.record({ kind: fc.constant("break" as const), pick })),
        node(2, fc.record({ kind: fc.constant("continue" as const), pick })),
        node(3, fc.record({
          kind: fc.constant("try" as const),
          body: block,
          handler: fc.option(block, { nil: null }),
          finalizer: fc.option(block, { nil: null }),
          leaves: fc.tuple(fc.nat(3), pick).map(([n, p]) => (n === 3 ? p : null)),
        })),
        rare(fc.record({ kind: fc.constant("throw" as const), value: expr, asError: fc.boolean() })),
        rare(fc.record({ kind: fc.constant("return" as const), value: expr })),
        node(2, fc.record({
          kind: fc.constant("closure" as const),
          captures: pick,
          value: expr,
          mutates: fc.option(pick, { nil: null }),
          params: fc.boolean(),
          body: fc.option(block, { nil: null }),
        })),
        node(1, fc.record({ kind: fc.constant("nested" as const), captures: pick, value: expr })),
        node(2, fc.record({ kind: fc.constant("callClosures" as const), tag })),
      ),
    };
  }).top;
}

/** Arbitrary workflow programs; `shape` bounds their nesting and length. */
export function programs(shape: ProgramShape = defaultShape): fc.Arbitrary<Program> {
  return fc
    .record({
      body: statements(shape),
      input: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }),
      rethrows: fc.boolean(),
      params: fc.record({ defaultValue: fc.option(literal, { nil: null }), rest: fc.boolean(), redeclared: sometimes }),
    })
    .map((program) => Object.assign(program, { [fc.toStringMethod]: () => printProgram(program).source }));
}
