// Lowers the statements of a workflow into states: statements with no await stay as written
// (rewritten by rewrite.ts); loops, branches, switch and try that contain an await become
// labelled states, with break/continue/return routed through pending finally blocks.
import type TS from "typescript";
import { ts, f } from "./typescript.ts";
import { FRAME, LOCALS, TEMPS, DISPATCH, assign, id, num, prop, runtimeCall, sequence } from "./builder.ts";
import { TransformError } from "./diagnostics.ts";
import { isIndexable } from "./checks.ts";
import { ExpressionLowering } from "./expressions.ts";
import type { Label } from "./ir.ts";
import { boundIdentifiers, declarationAssignments, unwrapLabels, type RewriteHooks } from "./rewrite.ts";

interface JumpTarget {
  readonly labels: readonly string[];
  readonly kind: "loop" | "switch" | "block";
  readonly breakLabel: Label;
  readonly continueLabel: Label | undefined;
  /** How many try entries were open where the target statement stands. */
  readonly tryDepth: number;
}

interface TryEntry {
  readonly region: number;
  readonly hasFinally: boolean;
  area: "try" | "catch" | "finally";
}

export const REGIONS = "__otf_regions";

export class StatementLowering extends ExpressionLowering {
  private readonly targets: JumpTarget[] = [];
  private readonly tries: TryEntry[] = [];
  /** Name of the module constant holding this workflow's try-region table. */
  regionsName = REGIONS;

  protected override enclosingFinallies(): number[] {
    return this.tries.filter((t) => t.area === "finally").map((t) => t.region).reverse();
  }

  /** With a program (tspc): proves for…of iterables are arrays or strings at compile time. */
  checker: TS.TypeChecker | undefined;

  /** Lifts a nested function to module level (set by emit.ts). */
  lift: RewriteHooks["lift"] = () => {
    throw new Error("lift is set by emitWorkflow");
  };

  /** Lowers a block's statements, function declarations hoisted to its start. */
  statements(statements: readonly TS.Statement[]): void {
    for (const s of statements) {
      if (!ts.isFunctionDeclaration(s) || !s.name || !s.body) continue;
      const binding = this.analysis.bindingOf(s.name);
      const async = s.modifiers?.filter((m): m is TS.ModifierToken<TS.SyntaxKind.AsyncKeyword> => m.kind === ts.SyntaxKind.AsyncKeyword);
      if (binding?.storage === "local" && binding.isParameter) {
        // The parameter's name: the function replaces its value (as JavaScript does on entry), by an
        // assignment, since a declaration beside the parameters' `let` would not load.
        const value = f.createFunctionExpression(async, s.asteriskToken, undefined, undefined, s.parameters, undefined, s.body);
        this.builder.emit(ts.setTextRange(this.rewriter.statement(f.createExpressionStatement(f.createAssignment(s.name, value))), s));
        continue;
      }
      if (!binding || binding.storage === "local") {
        this.builder.emit(this.rewriter.statement(s));
        continue;
      }
      const info = this.analysis.closureOf(s);
      const value = info?.liftable ? this.lift(s, info) : this.rewriter.expression(f.createFunctionExpression(async, s.asteriskToken, s.name.text, undefined, s.parameters, undefined, s.body));
      const slot = prop(LOCALS, binding.key);
      this.builder.emit(ts.setTextRange(assign(slot, binding.storage === "box" ? runtimeCall("box", [value]) : value), s));
    }
    for (const s of statements) if (!ts.isFunctionDeclaration(s)) this.statement(s);
  }

  statement(node: TS.Statement): void {
    const b = this.builder;
    const mark = b.tempMark();
    if (!this.analysis.containsAwait(node)) {
      const rewritten = this.rewriter.statement(node);
      if (ts.isReturnStatement(node) || ts.isThrowStatement(node) || ts.isBreakOrContinueStatement(node)) b.end(rewritten);
      else if (!ts.isEmptyStatement(rewritten) || ts.isEmptyStatement(node)) b.emit(rewritten);
    } else if (ts.isBlock(node)) this.statements(node.statements);
    else if (ts.isVariableStatement(node)) {
      for (const d of node.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) && this.analysis.containsAwait(d.name)) {
          this.bindPattern(d.name, d.initializer ? this.expression(d.initializer) : f.createVoidZero());
          continue;
        }
        const single = f.createVariableDeclarationList([d], node.declarationList.flags);
        for (const a of declarationAssignments(single, (e) => this.expression(e), this.analysis, { kind: "step" })) b.emit(ts.setTextRange(f.createExpressionStatement(a), d));
      }
    } else if (ts.isExpressionStatement(node)) b.emit(ts.setTextRange(f.createExpressionStatement(this.expression(node.expression)), node));
    else if (ts.isReturnStatement(node)) this.returnWith(node.expression ? this.expression(node.expression) : f.createVoidZero(), node);
    else if (ts.isThrowStatement(node)) b.end(ts.setTextRange(f.createThrowStatement(this.expression(node.expression)), node));
    else if (ts.isIfStatement(node)) this.ifStatement(node);
    else if (ts.isLabeledStatement(node) || ts.isIterationStatement(node, false) || ts.isSwitchStatement(node)) this.labelled(node);
    else if (ts.isTryStatement(node)) this.tryStatement(node);
    else throw new TransformError("unsupportedAwait", node, ts.SyntaxKind[node.kind]);
    b.releaseTemps(mark);
  }

  // ── destructuring with awaits in defaults or keys ──────────────────────

  /**
   * Binds a declaration's pattern step by step, so a default's await runs only when the value is
   * undefined, in JS's order (key, value, default, then nested pattern). Array patterns spread
   * their value first, which differs from JS only for iterators that never end.
   */
  private bindPattern(name: TS.BindingName, value: TS.Expression): void {
    const b = this.builder;
    if (ts.isIdentifier(name)) {
      const binding = this.analysis.bindingOf(name)!;
      const slot = prop(LOCALS, binding.key);
      b.emit(ts.setTextRange(assign(slot, binding.storage === "box" ? runtimeCall("box", [value]) : value), name));
      return;
    }
    const source = b.temp(`value destructured by ${this.text(name)}`);
    b.emit(assign(source, value));
    if (ts.isObjectBindingPattern(name)) {
      const used: TS.Expression[] = [];
      for (const e of name.elements) {
        if (e.dotDotDotToken) {
          this.bindPattern(e.name, runtimeCall("objectRest", [source, f.createArrayLiteralExpression(used)]));
          continue;
        }
        const property = e.propertyName ?? (e.name as TS.Identifier);
        let key: TS.Expression;
        if (ts.isComputedPropertyName(property)) {
          key = b.temp(`key ${this.text(property)}`);
          b.emit(assign(key, this.expression(property.expression)));
        } else key = ts.isIdentifier(property) || ts.isPrivateIdentifier(property) ? f.createStringLiteral(property.text) : (property as TS.Expression);
        used.push(key);
        this.bindElement(e, f.createElementAccessExpression(source, key));
      }
      return;
    }
    const items = b.temp(`items destructured by ${this.text(name)}`);
    b.emit(assign(items, f.createArrayLiteralExpression([f.createSpreadElement(source)])));
    name.elements.forEach((e, i) => {
      if (ts.isOmittedExpression(e)) return;
      if (e.dotDotDotToken) this.bindPattern(e.name, f.createCallExpression(prop(items, "slice"), undefined, [num(i)]));
      else this.bindElement(e, f.createElementAccessExpression(items, num(i)));
    });
  }

  private bindElement(element: TS.BindingElement, value: TS.Expression): void {
    if (!element.initializer) return this.bindPattern(element.name, value);
    const b = this.builder;
    const current = b.temp(`value for ${this.text(element)}`);
    b.emit(assign(current, value));
    const present = b.label();
    b.gotoIf(f.createStrictInequality(current, f.createVoidZero()), present);
    b.emit(assign(current, this.expression(element.initializer)));
    b.place(present);
    this.bindPattern(element.name, current);
  }

  // ── jumps ────────────────────────────────────────────────────────────────

  /** The statement for a break/continue to a target outside the current chunk. */
  jump(kind: "break" | "continue", label: string | undefined, node: TS.Node): TS.Statement {
    const target = this.findTarget(kind, label);
    if (!target) throw new TransformError("unsupportedAwait", node, `no target for ${kind}${label ? ` ${label}` : ""}`);
    const destination = kind === "break" ? target.breakLabel : target.continueLabel!;
    return this.leave(target.tryDepth, { type: "jump", target: destination });
  }

  /** Statements that end the workflow with `value`, through any finally blocks on the way. */
  returnStatement(value: TS.Expression): TS.Statement {
    return this.leave(0, { type: "return", value });
  }

  private returnWith(value: TS.Expression, node: TS.Node): void {
    this.builder.end(ts.setTextRange(this.returnStatement(value), node));
  }

  private findTarget(kind: "break" | "continue", label: string | undefined): JumpTarget | undefined {
    for (let i = this.targets.length - 1; i >= 0; i--) {
      const t = this.targets[i]!;
      if (label !== undefined ? t.labels.includes(label) && (kind === "break" || t.kind === "loop") : t.kind === "loop" || (kind === "break" && t.kind === "switch")) return t;
    }
    return undefined;
  }

  /** Leaves the try entries above `depth`: through their finally blocks, innermost first. */
  private leave(depth: number, completion: { type: "jump"; target: Label } | { type: "return"; value: TS.Expression }): TS.Statement {
    const crossed = this.tries.slice(depth).reverse();
    const statements: TS.Statement[] = [];
    // Leaving a finally block by a jump drops the completion it was running.
    for (const t of crossed) if (t.area === "finally") statements.push(f.createExpressionStatement(f.createDeleteExpression(f.createElementAccessExpression(prop(FRAME, "completions"), num(t.region)))));
    const finallies = crossed.filter((t) => t.hasFinally && t.area !== "finally").map((t) => t.region);
    if (finallies.length === 0) {
      if (completion.type === "jump") statements.push(assign(prop(FRAME, "pc"), num(completion.target)), f.createContinueStatement(DISPATCH));
      else statements.push(assign(prop(FRAME, "result"), completion.value), f.createReturnStatement(num(2)));
    } else {
      const [first, ...via] = finallies;
      const fields = [f.createPropertyAssignment("type", f.createStringLiteral(completion.type)), completion.type === "jump" ? f.createPropertyAssignment("target", num(completion.target)) : f.createPropertyAssignment("value", completion.value), f.createPropertyAssignment("via", f.createArrayLiteralExpression(via.map(num)))];
      statements.push(f.createExpressionStatement(runtimeCall("enterFinally", [id(FRAME), num(first!), id(this.regionsName), f.createObjectLiteralExpression(fields)])), f.createContinueStatement(DISPATCH));
    }
    return f.createBlock(statements, false);
  }

  // ── statements with awaits ─────────────────────────────────────────────

  private ifStatement(node: TS.IfStatement): void {
    const b = this.builder;
    const condition = this.expression(node.expression);
    const otherwise = b.label();
    const end = b.label();
    b.gotoIf(f.createLogicalNot(f.createParenthesizedExpression(condition)), node.elseStatement ? otherwise : end);
    this.statement(node.thenStatement);
    if (node.elseStatement) {
      b.goto(end);
      b.place(otherwise);
      this.statement(node.elseStatement);
    }
    b.place(end);
  }

  private labelled(node: TS.Statement): void {
    const { labels, body } = unwrapLabels(node);
    const b = this.builder;
    if (!this.analysis.containsAwait(body)) {
      b.emit(this.rewriter.statement(node));
      return;
    }
    const end = b.label();
    const depth = this.tries.length;
    if (ts.isSwitchStatement(body)) {
      this.switchStatement(body, { labels, kind: "switch", breakLabel: end, continueLabel: undefined, tryDepth: depth });
    } else if (ts.isIterationStatement(body, false)) {
      this.loop(body, labels, end);
    } else {
      this.targets.push({ labels, kind: "block", breakLabel: end, continueLabel: undefined, tryDepth: depth });
      this.statement(body);
      this.targets.pop();
    }
    b.place(end);
  }

  private withTarget(target: JumpTarget, body: () => void): void {
    this.targets.push(target);
    body();
    this.targets.pop();
  }

  private loop(node: TS.IterationStatement, labels: readonly string[], end: Label): void {
    const b = this.builder;
    const head = b.label();
    const next = b.label();
    const target = { labels, kind: "loop" as const, breakLabel: end, continueLabel: next, tryDepth: this.tries.length };
    if (ts.isWhileStatement(node)) {
      b.place(head);
      b.place(next);
      b.gotoIf(f.createLogicalNot(f.createParenthesizedExpression(this.expression(node.expression))), end);
      this.withTarget(target, () => this.statement(node.statement));
      b.goto(next);
      return;
    }
    if (ts.isDoStatement(node)) {
      b.place(head);
      this.withTarget(target, () => this.statement(node.statement));
      b.place(next);
      b.gotoIf(this.expression(node.expression), head);
      b.goto(end);
      return;
    }
    if (ts.isForStatement(node)) {
      if (node.initializer) {
        if (ts.isVariableDeclarationList(node.initializer)) {
          for (const a of declarationAssignments(node.initializer, (e) => this.expression(e), this.analysis, { kind: "step" })) b.emit(ts.setTextRange(f.createExpressionStatement(a), node.initializer));
        } else b.emit(f.createExpressionStatement(this.expression(node.initializer)));
      }
      b.place(head);
      if (node.condition) b.gotoIf(f.createLogicalNot(f.createParenthesizedExpression(this.expression(node.condition))), end);
      this.withTarget(target, () => this.statement(node.statement));
      b.place(next);
      // A fresh binding per iteration for loop variables that closures captured.
      if (node.initializer && ts.isVariableDeclarationList(node.initializer)) {
        for (const d of node.initializer.declarations) {
          for (const name of boundIdentifiers(d.name)) {
            const binding = this.analysis.bindingOf(name);
            if (binding?.storage === "box") b.emit(assign(prop(LOCALS, binding.key), runtimeCall("box", [prop(prop(LOCALS, binding.key), "value")])));
          }
        }
      }
      if (node.incrementor) b.emit(f.createExpressionStatement(this.expression(node.incrementor)));
      b.goto(head);
      return;
    }
    if (ts.isForOfStatement(node) || ts.isForInStatement(node)) {
      const loop = ts.isForOfStatement(node) ? "for…of" : "for…in";
      const items = b.temp(`${loop} ${ts.isForOfStatement(node) ? "items" : "keys"} of ${this.text(node.expression)}`);
      const index = b.temp(`${loop} index over ${this.text(node.expression)}`);
      const source = this.expression(node.expression);
      if (ts.isForOfStatement(node)) {
        if (this.checker && !isIndexable(this.checker.getTypeAtLocation(node.expression), this.checker)) {
          throw new TransformError("forOfNotArray", node.expression, `it is ${this.checker.typeToString(this.checker.getTypeAtLocation(node.expression))}`);
        }
        const { line } = this.sourceFile.getLineAndCharacterOfPosition(node.getStart(this.sourceFile));
        b.emit(assign(items, runtimeCall("forOfItems", [source, f.createStringLiteral(`${this.sourceFile.fileName}:${line + 1}`)])));
      } else {
        const object = b.temp(`for…in object ${this.text(node.expression)}`);
        b.emit(assign(object, source), assign(items, runtimeCall("forInKeys", [object])));
        b.emit(assign(index, num(0)));
        b.place(head);
        b.place(next);
        b.gotoIf(f.createBinaryExpression(index, ts.SyntaxKind.GreaterThanEqualsToken, prop(items, "length")), end);
        const key = f.createElementAccessExpression(items, f.createPostfixIncrement(index));
        const current = b.temp(`for…in key of ${this.text(node.expression)}`);
        b.emit(assign(current, key));
        b.gotoIf(f.createLogicalNot(runtimeCall("hasKey", [object, current])), next);
        this.bindLoopVariable(node.initializer, current);
        this.withTarget(target, () => this.statement(node.statement));
        b.goto(next);
        return;
      }
      b.emit(assign(index, num(0)));
      b.place(head);
      b.place(next);
      b.gotoIf(f.createBinaryExpression(index, ts.SyntaxKind.GreaterThanEqualsToken, prop(items, "length")), end);
      this.bindLoopVariable(node.initializer, f.createElementAccessExpression(items, f.createPostfixIncrement(index)));
      this.withTarget(target, () => this.statement(node.statement));
      b.goto(next);
      return;
    }
    throw new TransformError("unsupportedAwait", node);
  }

  private bindLoopVariable(initializer: TS.ForInitializer, value: TS.Expression): void {
    const b = this.builder;
    if (ts.isVariableDeclarationList(initializer)) {
      const declaration = initializer.declarations[0]!;
      const list = f.createVariableDeclarationList([f.updateVariableDeclaration(declaration, declaration.name, undefined, undefined, undefined)], initializer.flags);
      ts.setTextRange(list, initializer);
      for (const a of declarationAssignments(list, (e) => this.rewriter.expression(e), this.analysis, { kind: "step" }, () => value)) b.emit(ts.setTextRange(f.createExpressionStatement(a), initializer));
      // declarationAssignments reads the names from the updated declaration: map them back to bindings.
      return;
    }
    b.emit(f.createExpressionStatement(f.createAssignment(this.rewriter.expression(initializer) as TS.Expression, value)));
  }

  private switchStatement(node: TS.SwitchStatement, target: JumpTarget): void {
    const b = this.builder;
    const discriminant = b.temp(`switch value ${this.text(node.expression)}`);
    b.emit(assign(discriminant, this.expression(node.expression)));
    const bodies = node.caseBlock.clauses.map(() => b.label());
    let defaultBody: Label | undefined;
    node.caseBlock.clauses.forEach((clause, i) => {
      if (ts.isDefaultClause(clause)) defaultBody = bodies[i];
      else b.gotoIf(f.createStrictEquality(discriminant, this.expression(clause.expression)), bodies[i]!);
    });
    b.goto(defaultBody ?? target.breakLabel);
    this.withTarget(target, () => {
      node.caseBlock.clauses.forEach((clause, i) => {
        b.place(bodies[i]!);
        this.statements(clause.statements);
      });
    });
  }

  private tryStatement(node: TS.TryStatement): void {
    const b = this.builder;
    const region = b.regions.length;
    const outer = b.context;
    b.regions.push({ parent: outer, catchState: -1, finallyState: -1 });
    const finallyLabel = node.finallyBlock ? b.label() : -1;
    const end = b.label();
    const exit = () => (node.finallyBlock ? b.goto(finallyLabel) : b.goto(end));
    const entry: TryEntry = { region, hasFinally: node.finallyBlock !== undefined, area: "try" };
    this.tries.push(entry);
    b.context = region * 2;
    b.place(b.label());
    // As a statement: a block with no await stays a block, so its `let`s keep their own scope.
    this.statement(node.tryBlock);
    exit();
    if (node.catchClause) {
      const clause = node.catchClause;
      const catchLabel = b.label();
      b.regions[region]!.catchState = catchLabel;
      entry.area = "catch";
      b.context = region * 2 + 1;
      b.place(catchLabel);
      const caught = runtimeCall("caught", [id(FRAME)]);
      const declaration = clause.variableDeclaration;
      if (!this.analysis.containsAwait(clause)) {
        // No await in the catch: bind as written, in a block of its own.
        const binding = declaration ? [f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(declaration.name, undefined, undefined, caught)], ts.NodeFlags.Let))] : [f.createExpressionStatement(caught)];
        b.emit(this.rewriter.statement(f.createBlock([...binding, ...clause.block.statements], true)));
      } else {
        // Bound as a declaration is: a binding boxed per loop iteration (captured in a loop) gets its fresh box.
        const list = declaration && f.createVariableDeclarationList([f.createVariableDeclaration(declaration.name)], ts.NodeFlags.Let);
        if (list) b.emit(f.createExpressionStatement(sequence(declarationAssignments(list, (e) => this.rewriter.expression(e), this.analysis, { kind: "step" }, () => caught))));
        else b.emit(f.createExpressionStatement(caught));
        this.statements(clause.block.statements);
      }
      exit();
    }
    b.context = outer;
    if (node.finallyBlock) {
      b.regions[region]!.finallyState = finallyLabel;
      entry.area = "finally";
      b.place(finallyLabel);
      this.statement(node.finallyBlock);
      if (!b.closed) {
        const ended = runtimeCall("endFinally", [id(FRAME), num(region), id(this.regionsName)]);
        b.emit(
          f.createSwitchStatement(ended, f.createCaseBlock([
            f.createCaseClause(num(1), [f.createContinueStatement(DISPATCH)]),
            f.createCaseClause(num(2), [f.createReturnStatement(num(2))]),
          ])),
        );
      }
    }
    this.tries.pop();
    b.place(end);
  }
}

export { TEMPS };
