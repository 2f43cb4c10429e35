// Lays out states: labels, gotos, suspends and try contexts (the "leap" of the pipeline).
import type TS from "typescript";
import { ts, f } from "./typescript.ts";
import type { Label, PointTable, RegionTable } from "./ir.ts";

interface State {
  readonly id: number;
  readonly statements: TS.Statement[];
  readonly context: number;
}

export const FRAME = "$F";
export const LOCALS = "$L";
export const TEMPS = "$T";
export const DISPATCH = "$dispatch";
export const RUNTIME = "__otf";

export const id = (name: string) => f.createIdentifier(name);
export const prop = (object: TS.Expression | string, name: string) => f.createPropertyAccessExpression(typeof object === "string" ? id(object) : object, name);
export const runtimeCall = (name: string, args: TS.Expression[]) => f.createCallExpression(prop(RUNTIME, name), undefined, args);
export const assign = (target: TS.Expression, value: TS.Expression) => f.createExpressionStatement(f.createAssignment(target, value));
export const num = (n: number) => (n < 0 ? f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, f.createNumericLiteral(-n)) : f.createNumericLiteral(n));

export class StateBuilder {
  readonly placed: State[] = [];
  readonly regions: RegionTable[] = [];
  readonly points: PointTable[] = [];
  context = -1;
  private current: State | undefined;
  private nextLabel = 0;
  private tempCount = 0;
  /** What each live temp holds, by slot: part of a resume point's shape. */
  private readonly tempRoles: string[] = [];

  constructor() {
    this.place(this.label());
  }

  label(): Label {
    return this.nextLabel++;
  }

  get closed(): boolean {
    return this.current === undefined;
  }

  /** Starts state `label` here, in the current try context. */
  place(label: Label): void {
    if (this.current && this.current.context !== this.context) this.goto(label);
    this.current = { id: label, statements: [], context: this.context };
    this.placed.push(this.current);
  }

  emit(...statements: TS.Statement[]): void {
    if (!this.current) this.place(this.label()); // unreachable code after a jump still gets a state
    this.current!.statements.push(...statements);
  }

  /** Ends the current state with a jump. */
  goto(label: Label): void {
    this.emit(assign(prop(FRAME, "pc"), num(label)), f.createContinueStatement(DISPATCH));
    this.current = undefined;
  }

  /** Ends the current state with statements that leave it (a return, or a jump already written). */
  end(...statements: TS.Statement[]): void {
    this.emit(...statements);
    this.current = undefined;
  }

  /** Emits `if (condition) goto label` without ending the state. */
  gotoIf(condition: TS.Expression, label: Label): void {
    this.emit(f.createIfStatement(condition, f.createBlock([assign(prop(FRAME, "pc"), num(label)), f.createContinueStatement(DISPATCH)])));
  }

  /** Suspends on `value`; returns with the state after the await placed and current. */
  suspend(value: TS.Expression, point: Omit<PointTable, "state" | "temps">): void {
    const next = this.label();
    this.emit(assign(prop(FRAME, "awaiting"), value), assign(prop(FRAME, "pc"), num(next)), f.createReturnStatement(num(1)));
    this.current = undefined;
    this.points.push({ ...point, state: next, temps: this.tempRoles.slice(0, this.tempCount) });
    this.place(next);
  }

  /** A new temp slot `$T.tN` holding `role` (e.g. `for…of items of xs`), released by `releaseTemps`. */
  temp(role: string): TS.PropertyAccessExpression {
    this.tempRoles[this.tempCount] = role;
    return prop(TEMPS, `t${this.tempCount++}`);
  }

  tempMark(): number {
    return this.tempCount;
  }

  /** Frees temps allocated since `mark`, clearing them so snapshots do not carry stale values. */
  releaseTemps(mark: number): void {
    if (this.tempCount === mark) return;
    if (!this.closed) {
      for (let n = mark; n < this.tempCount; n++) this.emit(f.createExpressionStatement(f.createDeleteExpression(prop(TEMPS, `t${n}`))));
    }
    this.tempCount = mark;
  }

  /** Per-state contexts, indexed by state id. */
  contexts(): number[] {
    const table = new Array<number>(this.nextLabel).fill(-1);
    for (const s of this.placed) table[s.id] = s.context;
    return table;
  }

  /** The `switch` over states, in the order they were placed (so fall-through is the next state). */
  switchStatement(): TS.SwitchStatement {
    const clauses = this.placed.map((s) => f.createCaseClause(num(s.id), s.statements));
    const bad = f.createDefaultClause([f.createReturnStatement(runtimeCall("badState", [id(FRAME)]))]);
    return f.createSwitchStatement(prop(FRAME, "pc"), f.createCaseBlock([...clauses, bad]));
  }
}

/** `=`, `+=`, `&&=` and the other assignment operators. */
export function isAssignmentOperator(kind: TS.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/** Several expressions as one, left to right (`a, b, c`). */
export function sequence(expressions: readonly TS.Expression[]): TS.Expression {
  return expressions.reduce((left, right) => f.createComma(left, right));
}
