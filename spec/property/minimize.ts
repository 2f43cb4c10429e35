// Shrinks a failing program further than fast-check's generic shrinking can: greedily
// deletes statements, hoists a statement's inner blocks in its place, drops optional parts
// and replaces expressions by a literal or by one of their operands, keeping each step
// that still fails the same way.
import type { Expr, Program, Stmt, SwitchCase } from "./generator.ts";

const zero: Expr = { kind: "literal", value: 0 };

/** Smaller variants of an expression, the smallest first. */
function* smallerExpr(e: Expr): Generator<Expr> {
  if (e.kind === "literal") return;
  yield zero;
  const children = exprChildren(e);
  yield* children;
  for (let i = 0; i < children.length; i++) {
    for (const child of smallerExpr(children[i])) yield withExprChild(e, i, child);
  }
  if (e.kind === "await" && e.rejects) yield { ...e, rejects: false };
  if (e.kind === "await" && e.plain) yield { ...e, plain: false };
  if (e.kind === "all" && e.combinator !== "all") yield { ...e, combinator: "all" };
  if (e.kind === "spread" && e.source !== "items") yield { ...e, source: "items" };
  if (e.kind === "optional" && e.form !== "member") yield { ...e, form: "member" };
  for (const list of ["items", "parts", "args", "before", "after", "entries"] as const) {
    const items = (e as Record<string, unknown>)[list];
    if (Array.isArray(items)) for (let i = 0; i < items.length; i++) yield { ...e, [list]: items.toSpliced(i, 1) } as Expr;
  }
}

function exprChildren(e: Expr): Expr[] {
  switch (e.kind) {
    case "await": return [e.arg];
    case "binary": case "logical": return [e.left, e.right];
    case "conditional": return [e.test, e.then, e.else];
    case "template": return e.parts;
    case "array": case "object": return e.items;
    case "concat": return e.args;
    case "assign": case "tap": return [e.value];
    case "all": return e.items.map((item) => item.arg);
    case "spread": return [...e.before, e.value, ...e.after];
    case "optional": return [e.object, e.key];
    case "keyed": return e.entries.flatMap((entry) => [entry.key, entry.value]);
    case "callNested": return [e.arg];
    default: return [];
  }
}

function withExprChild(e: Expr, index: number, child: Expr): Expr {
  const children = exprChildren(e).toSpliced(index, 1, child);
  switch (e.kind) {
    case "await": return { ...e, arg: children[0] };
    case "binary": case "logical": return { ...e, left: children[0], right: children[1] };
    case "conditional": return { ...e, test: children[0], then: children[1], else: children[2] };
    case "template": return { ...e, parts: children };
    case "array": case "object": return { ...e, items: children };
    case "concat": return { ...e, args: children };
    case "assign": case "tap": return { ...e, value: children[0] };
    case "all": return { ...e, items: e.items.map((item, i) => ({ ...item, arg: children[i] })) };
    case "spread": return { ...e, before: children.slice(0, e.before.length), value: children[e.before.length], after: children.slice(e.before.length + 1) };
    case "optional": return { ...e, object: children[0], key: children[1] };
    case "keyed": return { ...e, entries: e.entries.map((_, i) => ({ key: children[2 * i], value: children[2 * i + 1] })) };
    case "callNested": return { ...e, arg: children[0] };
    default: return e;
  }
}

/** The blocks nested directly in a statement. */
function innerBlocks(s: Stmt): Stmt[][] {
  switch (s.kind) {
    case "if": return s.else ? [s.then, s.else] : [s.then];
    case "switch": return [...s.cases, ...(s.defaultCase ? [s.defaultCase] : [])].map((c) => c.body);
    case "loop": case "block": return [s.body];
    case "try": return [s.body, ...(s.handler ? [s.handler] : []), ...(s.finalizer ? [s.finalizer] : [])];
    case "closure": return s.body ? [s.body] : [];
    default: return [];
  }
}

function* smallerCase(c: SwitchCase): Generator<SwitchCase> {
  if (c.awaited) yield { ...c, awaited: false };
  if (c.continues) yield { ...c, continues: false };
  for (const body of smallerBlock(c.body)) yield { ...c, body };
}

/** Smaller variants of a statement that keep its kind. */
function* smallerStmt(s: Stmt): Generator<Stmt> {
  const exprs = <K extends string>(key: K, value: Expr) => [...smallerExpr(value)].map((e) => ({ ...s, [key]: e }) as Stmt);
  switch (s.kind) {
    case "if":
      if (s.else) yield { ...s, else: null };
      for (const then of smallerBlock(s.then)) yield { ...s, then };
      if (s.else) for (const otherwise of smallerBlock(s.else)) yield { ...s, else: otherwise };
      yield* exprs("test", s.test);
      return;
    case "switch":
      if (s.defaultCase) yield { ...s, defaultCase: null };
      for (let i = 0; i < s.cases.length; i++) {
        if (s.cases.length > 1) yield { ...s, cases: s.cases.toSpliced(i, 1) };
        for (const c of smallerCase(s.cases[i])) yield { ...s, cases: s.cases.toSpliced(i, 1, c) };
      }
      if (s.defaultCase) for (const c of smallerCase(s.defaultCase)) yield { ...s, defaultCase: c };
      yield* exprs("discriminant", s.discriminant);
      return;
    case "loop":
      if (s.labelled) yield { ...s, labelled: false };
      if (s.test) yield { ...s, test: null };
      if (s.start) yield { ...s, start: null };
      if (s.update) yield { ...s, update: null };
      if (s.bound > 1) yield { ...s, bound: 1 };
      for (const body of smallerBlock(s.body)) yield { ...s, body };
      if (s.test) yield* exprs("test", s.test);
      if (s.start) yield* exprs("start", s.start);
      if (s.update) yield* exprs("update", s.update);
      if (s.items) for (let i = 0; i < s.items.length; i++) {
        yield { ...s, items: s.items.toSpliced(i, 1) };
        for (const e of smallerExpr(s.items[i])) yield { ...s, items: s.items.toSpliced(i, 1, e) };
      }
      return;
    case "block":
      if (s.labelled) yield { ...s, labelled: false };
      for (const body of smallerBlock(s.body)) yield { ...s, body };
      return;
    case "try":
      if (s.leaves !== null) yield { ...s, leaves: null };
      if (s.handler && s.finalizer) yield { ...s, handler: null };
      if (s.handler && s.finalizer) yield { ...s, finalizer: null };
      for (const body of smallerBlock(s.body)) yield { ...s, body };
      if (s.handler) for (const handler of smallerBlock(s.handler)) yield { ...s, handler };
      if (s.finalizer) for (const finalizer of smallerBlock(s.finalizer)) yield { ...s, finalizer };
      return;
    case "destructure":
      for (let i = 0; i < s.source.length; i++) yield { ...s, source: s.source.toSpliced(i, 1) };
      yield* exprs("fallback", s.fallback);
      for (let i = 0; i < s.source.length; i++) for (const e of smallerExpr(s.source[i])) yield { ...s, source: s.source.toSpliced(i, 1, e) };
      return;
    case "closure":
      if (s.mutates !== null) yield { ...s, mutates: null };
      if (s.body) yield { ...s, body: null };
      if (s.params) yield { ...s, params: false };
      if (s.body) for (const body of smallerBlock(s.body)) yield { ...s, body };
      yield* exprs("value", s.value);
      return;
    case "nested":
      yield* exprs("value", s.value);
      return;
    case "throw":
      if (s.asError) yield { ...s, asError: false };
      yield* exprs("value", s.value);
      return;
    case "log": case "expression": case "let": case "var": case "assign": case "return":
      yield* exprs("value", s.value);
      return;
    default:
      return;
  }
}

/** Smaller variants of a block: a statement removed, replaced by its inner blocks, or made smaller. */
function* smallerBlock(block: Stmt[]): Generator<Stmt[]> {
  for (let i = 0; i < block.length; i++) yield block.toSpliced(i, 1);
  for (let i = 0; i < block.length; i++) for (const inner of innerBlocks(block[i])) yield block.toSpliced(i, 1, ...inner);
  for (let i = 0; i < block.length; i++) for (const s of smallerStmt(block[i])) yield block.toSpliced(i, 1, s);
}

function* smallerProgram(p: Program): Generator<Program> {
  for (const body of smallerBlock(p.body)) yield { ...p, body };
  if (p.input.length) yield { ...p, input: [] };
  if (p.rethrows) yield { ...p, rethrows: false };
  if (p.params?.defaultValue !== null && p.params) yield { ...p, params: { ...p.params, defaultValue: null } };
  if (p.params?.rest) yield { ...p, params: { ...p.params, rest: false } };
  if (p.params?.redeclared) yield { ...p, params: { ...p.params, redeclared: false } };
}

/**
 * The smallest program reached by taking, again and again, the first smaller variant for
 * which `stillFails` holds; stops after `budget` tries.
 */
export async function minimize(program: Program, stillFails: (candidate: Program) => Promise<boolean>, budget = 2000): Promise<Program> {
  let current = program;
  let tries = 0;
  search: for (;;) {
    for (const candidate of smallerProgram(current)) {
      if (++tries > budget) break search;
      if (await stillFails(candidate)) {
        current = candidate;
        continue search;
      }
    }
    break;
  }
  return current;
}
