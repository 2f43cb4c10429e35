// Normalises expressions so that each `await` stands alone as a suspend: operands evaluated
// before an await are held in temps (left-to-right order kept), and `&&`, `||`, `??`, `?:`
// branch into states so their right-hand side is evaluated only when reached.
import type TS from "typescript";
import { ts, f } from "./typescript.ts";
import { FRAME, RUNTIME, StateBuilder, id, isAssignmentOperator, prop, runtimeCall } from "./builder.ts";
import { TransformError } from "./diagnostics.ts";
import { Rewriter } from "./rewrite.ts";
import type { PointTable } from "./ir.ts";
import type { Liveness } from "./liveness.ts";
import type { Analysis } from "./scope.ts";

export class ExpressionLowering {
  protected readonly keyCounts = new Map<string, number>();

  readonly builder: StateBuilder;
  readonly analysis: Analysis;
  readonly rewriter: Rewriter;
  readonly sourceFile: TS.SourceFile;
  constructor(builder: StateBuilder, analysis: Analysis, rewriter: Rewriter, sourceFile: TS.SourceFile) {
    this.builder = builder;
    this.analysis = analysis;
    this.rewriter = rewriter;
    this.sourceFile = sourceFile;
  }

  /** The expression, with every await in it turned into a suspend emitted before its use. */
  expression(node: TS.Expression): TS.Expression {
    if (!this.analysis.containsAwait(node)) return this.rewriter.expression(node);
    const b = this.builder;
    if (ts.isParenthesizedExpression(node)) return f.createParenthesizedExpression(this.expression(node.expression));
    if (ts.isAsExpression(node) || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node) || ts.isTypeAssertionExpression(node)) return this.expression(node.expression);
    if (ts.isAwaitExpression(node)) {
      const value = this.expression(node.expression);
      b.suspend(value, this.point(node));
      return runtimeCall("take", [id(FRAME)]);
    }
    if (ts.isBinaryExpression(node)) return this.binary(node);
    if (ts.isConditionalExpression(node)) {
      const condition = this.expression(node.condition);
      const result = b.temp(`value of ${this.text(node)}`);
      const otherwise = b.label();
      const end = b.label();
      b.gotoIf(f.createLogicalNot(f.createParenthesizedExpression(condition)), otherwise);
      b.emit(f.createExpressionStatement(f.createAssignment(result, this.expression(node.whenTrue))));
      b.goto(end);
      b.place(otherwise);
      b.emit(f.createExpressionStatement(f.createAssignment(result, this.expression(node.whenFalse))));
      b.place(end);
      return result;
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) return this.call(node);
    if (ts.isPropertyAccessExpression(node)) {
      if (node.questionDotToken === undefined && ts.isOptionalChain(node) && this.analysis.containsAwait(node.expression)) throw new TransformError("unsupportedAwait", node, "inside an optional chain");
      const object = this.expression(node.expression);
      return ts.setTextRange(node.questionDotToken ? f.createPropertyAccessChain(object, node.questionDotToken, node.name) : f.createPropertyAccessExpression(object, node.name), node);
    }
    if (ts.isElementAccessExpression(node)) {
      if (ts.isOptionalChain(node) && this.analysis.containsAwait(node.argumentExpression)) throw new TransformError("unsupportedAwait", node, "inside an optional chain");
      const [object, key] = this.list([node.expression, node.argumentExpression]);
      return node.questionDotToken ? f.createElementAccessChain(object!, node.questionDotToken, key!) : f.createElementAccessExpression(object!, key!);
    }
    if (ts.isArrayLiteralExpression(node)) {
      return f.createArrayLiteralExpression(this.list(node.elements), node.elements.length > 0 && node.elements.hasTrailingComma);
    }
    if (ts.isObjectLiteralExpression(node)) return this.object(node);
    if (ts.isTemplateExpression(node)) {
      const values = this.list(node.templateSpans.map((s) => s.expression));
      return f.createTemplateExpression(node.head, node.templateSpans.map((s, i) => f.createTemplateSpan(values[i]!, s.literal)));
    }
    if (ts.isSpreadElement(node)) return f.createSpreadElement(this.expression(node.expression));
    if (ts.isPrefixUnaryExpression(node)) {
      if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) return f.createPrefixUnaryExpression(node.operator, this.target(node.operand, []));
      return f.createPrefixUnaryExpression(node.operator, this.expression(node.operand));
    }
    if (ts.isPostfixUnaryExpression(node)) return f.createPostfixUnaryExpression(this.target(node.operand, []), node.operator);
    if (ts.isTypeOfExpression(node)) return f.createTypeOfExpression(this.expression(node.expression));
    if (ts.isVoidExpression(node)) return f.createVoidExpression(this.expression(node.expression));
    if (ts.isDeleteExpression(node)) return f.createDeleteExpression(this.target(node.expression, []));
    throw new TransformError("unsupportedAwait", node, ts.SyntaxKind[node.kind]);
  }

  /** The source text of an original node, whitespace collapsed (what a temp's role names). */
  protected text(node: TS.Node): string {
    const original = ts.getOriginalNode(node);
    if (original.pos < 0) return ts.SyntaxKind[node.kind];
    const text = original.getText(this.sourceFile).replace(/\s+/g, " ");
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }

  /** Frame variables live across each await (set by emit.ts). */
  liveness: Liveness | undefined;

  /** Try regions whose finally block encloses the current position, innermost first. */
  protected enclosingFinallies(): number[] {
    return [];
  }

  /** Where an await sits: a key stable across unrelated edits (transformer/README.md), its line and text. */
  protected point(node: TS.AwaitExpression): Omit<PointTable, "state" | "temps"> {
    const start = node.getStart(this.sourceFile);
    const { line } = this.sourceFile.getLineAndCharacterOfPosition(start);
    const lineStart = this.sourceFile.getPositionOfLineAndCharacter(line, 0);
    const lineEnd = this.sourceFile.getLineEndOfPosition(start);
    const text = node.expression.getText(this.sourceFile).replace(/\s+/g, " ");
    const base = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    const count = (this.keyCounts.get(base) ?? 0) + 1;
    this.keyCounts.set(base, count);
    const locals = this.liveness?.at(node).map((b) => b.key) ?? [];
    return { key: count === 1 ? base : `${base}#${count}`, line: line + 1, source: this.sourceFile.text.slice(lineStart, lineEnd).trim(), locals, finallies: this.enclosingFinallies() };
  }

  /**
   * Lowers a list evaluated left to right; an operand followed by an await is held in a temp
   * unless re-reading it after the await gives the same value.
   */
  protected list(nodes: readonly TS.Expression[]): TS.Expression[] {
    let lastAwait = -1;
    nodes.forEach((n, i) => {
      if (this.analysis.containsAwait(n)) lastAwait = i;
    });
    return nodes.map((n, i) => {
      const lowered = this.expression(n);
      return i < lastAwait ? this.hold(n, lowered, nodes.slice(i + 1)) : lowered;
    });
  }

  /** `lowered` (of `original`), safe to evaluate after `later` has run, awaits included. */
  protected hold(original: TS.Expression, lowered: TS.Expression, later: readonly TS.Node[]): TS.Expression {
    // Only an await splits what follows into earlier statements; without one the operand is used where it
    // stands, and a temp would only keep its value (a function made by a closure, say) alive in the frame.
    if (!later.some((n) => this.analysis.containsAwait(n))) return lowered;
    if (ts.isSpreadElement(original) || (original.parent !== undefined && ts.isSpreadAssignment(original.parent))) return this.spreadNow(original, lowered);
    if (this.isStable(original, later)) return lowered;
    const temp = this.builder.temp(`value of ${this.text(original)}`);
    this.builder.emit(f.createExpressionStatement(f.createAssignment(temp, lowered)));
    return temp;
  }

  /**
   * A spread followed by an await: JS reads the items (or properties) before the await, which may change
   * them (`[...log, (log.push(x), await y)]`), so they are copied into a temp now and the copy is spread.
   */
  private spreadNow(original: TS.Expression, lowered: TS.Expression): TS.Expression {
    const temp = this.builder.temp(`items of ${this.text(original)}`);
    const copy = ts.isSpreadElement(original)
      ? f.createArrayLiteralExpression([lowered as TS.SpreadElement])
      : f.createObjectLiteralExpression([f.createSpreadAssignment(lowered)]);
    this.builder.emit(f.createExpressionStatement(f.createAssignment(temp, copy)));
    return ts.isSpreadElement(original) ? f.createSpreadElement(temp) : temp;
  }

  private isStable(node: TS.Expression, later: readonly TS.Node[]): boolean {
    while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node)) node = node.expression;
    if (ts.isLiteralExpression(node) || node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword) return !ts.isRegularExpressionLiteral(node);
    if (ts.isPropertyAccessExpression(node)) {
      // A dotted path from a module-level or global name (`String.prototype.concat`) is module
      // state, read when used like the name itself: a temp would put a copy, or a function, in the snapshot.
      const root = pathRoot(node);
      return root !== undefined && !this.analysis.bindingOf(root) && !later.some((n) => assignsTo(n, root.text));
    }
    if (!ts.isIdentifier(node)) return false;
    const binding = this.analysis.bindingOf(node);
    // Module-level names are read when used (documented in transformer/README.md).
    if (!binding) return true;
    const name = node.text;
    const writes = later.some((n) => assignsTo(n, name));
    const calls = binding.captured && later.some(hasCall);
    return !writes && !calls;
  }

  private binary(node: TS.BinaryExpression): TS.Expression {
    const b = this.builder;
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.CommaToken) {
      b.emit(f.createExpressionStatement(this.expression(node.left)));
      return this.expression(node.right);
    }
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
      const result = b.temp(`value of ${this.text(node)}`);
      const end = b.label();
      b.emit(f.createExpressionStatement(f.createAssignment(result, this.expression(node.left))));
      b.gotoIf(shortCircuits(op, result), end);
      b.emit(f.createExpressionStatement(f.createAssignment(result, this.expression(node.right))));
      b.place(end);
      return result;
    }
    if (op === ts.SyntaxKind.AmpersandAmpersandEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken || op === ts.SyntaxKind.QuestionQuestionEqualsToken) {
      const target = this.target(node.left, [node.right]);
      const result = b.temp(`value of ${this.text(node)}`);
      const end = b.label();
      b.emit(f.createExpressionStatement(f.createAssignment(result, target)));
      const plain = op === ts.SyntaxKind.AmpersandAmpersandEqualsToken ? ts.SyntaxKind.AmpersandAmpersandToken : op === ts.SyntaxKind.BarBarEqualsToken ? ts.SyntaxKind.BarBarToken : ts.SyntaxKind.QuestionQuestionToken;
      b.gotoIf(shortCircuits(plain, result), end);
      b.emit(f.createExpressionStatement(f.createAssignment(result, f.createAssignment(target, this.expression(node.right)))));
      b.place(end);
      return result;
    }
    if (op === ts.SyntaxKind.EqualsToken) {
      if (ts.isObjectLiteralExpression(node.left) || ts.isArrayLiteralExpression(node.left)) {
        const value = this.expression(node.right);
        if (this.analysis.containsAwait(node.left)) return this.assignPattern(node.left, value);
        return f.createAssignment(this.rewriter.expression(node.left) as TS.ObjectLiteralExpression, value);
      }
      const target = this.target(node.left, [node.right]);
      return f.createAssignment(target, this.expression(node.right));
    }
    if (isAssignmentOperator(op)) {
      // `x += await y` reads x before evaluating y.
      const target = this.target(node.left, [node.right]);
      const current = this.hold(node.left, target, [node.right]);
      const value = this.expression(node.right);
      const arithmetic = compoundToBinary(op);
      return f.createAssignment(target, f.createBinaryExpression(current, arithmetic, value));
    }
    const [left, right] = this.list([node.left, node.right]);
    return f.createBinaryExpression(left!, node.operatorToken, right!);
  }

  /**
   * `pattern = value` with awaits in the pattern's defaults or computed keys, element by element
   * in JS's order (key, target, value, default); gives the value. Array patterns spread their value
   * first, which differs from JS only for iterators that never end.
   */
  private assignPattern(pattern: TS.ObjectLiteralExpression | TS.ArrayLiteralExpression, value: TS.Expression): TS.Expression {
    const b = this.builder;
    const source = b.temp(`value assigned to ${this.text(pattern)}`);
    b.emit(f.createExpressionStatement(f.createAssignment(source, value)));
    if (ts.isArrayLiteralExpression(pattern)) {
      const items = b.temp(`items assigned to ${this.text(pattern)}`);
      b.emit(f.createExpressionStatement(f.createAssignment(items, f.createArrayLiteralExpression([f.createSpreadElement(source)]))));
      pattern.elements.forEach((e, i) => {
        if (ts.isOmittedExpression(e)) return;
        if (ts.isSpreadElement(e)) this.assignElement(e.expression, f.createCallExpression(prop(items, "slice"), undefined, [f.createNumericLiteral(i)]));
        else this.assignElement(e, f.createElementAccessExpression(items, i));
      });
      return source;
    }
    const used: TS.Expression[] = [];
    for (const p of pattern.properties) {
      if (ts.isSpreadAssignment(p)) {
        this.assignElement(p.expression, runtimeCall("objectRest", [source, f.createArrayLiteralExpression(used)]));
        continue;
      }
      if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) throw new TransformError("unsupportedAwait", p, "in a destructuring assignment");
      let key: TS.Expression;
      if (ts.isComputedPropertyName(p.name)) {
        key = b.temp(`key ${this.text(p.name)}`);
        b.emit(f.createExpressionStatement(f.createAssignment(key, this.expression(p.name.expression))));
      } else key = ts.isIdentifier(p.name) || ts.isPrivateIdentifier(p.name) ? f.createStringLiteral(p.name.text) : (p.name as TS.Expression);
      used.push(key);
      const element = ts.isShorthandPropertyAssignment(p) ? (p.objectAssignmentInitializer ? f.createAssignment(p.name, p.objectAssignmentInitializer) : p.name) : p.initializer;
      this.assignElement(element, f.createElementAccessExpression(source, key));
    }
    return source;
  }

  /** One element of an assignment pattern: `target` or `target = default`, given the element's value. */
  private assignElement(element: TS.Expression, value: TS.Expression): void {
    const b = this.builder;
    const isDefault = ts.isBinaryExpression(element) && element.operatorToken.kind === ts.SyntaxKind.EqualsToken;
    const target = isDefault ? element.left : element;
    const initializer = isDefault ? element.right : undefined;
    const nested = ts.isObjectLiteralExpression(target) || ts.isArrayLiteralExpression(target);
    // JS evaluates a simple target's reference before the value and its default.
    const reference = nested ? undefined : this.target(target, initializer ? [initializer] : []);
    let current = value;
    if (initializer) {
      current = b.temp(`value for ${this.text(target)}`);
      b.emit(f.createExpressionStatement(f.createAssignment(current, value)));
      const present = b.label();
      b.gotoIf(f.createStrictInequality(current, f.createVoidZero()), present);
      b.emit(f.createExpressionStatement(f.createAssignment(current, this.expression(initializer))));
      b.place(present);
    }
    if (reference) b.emit(f.createExpressionStatement(f.createAssignment(reference, current)));
    else if (this.analysis.containsAwait(target)) this.assignPattern(target as TS.ObjectLiteralExpression | TS.ArrayLiteralExpression, current);
    else b.emit(f.createExpressionStatement(f.createAssignment(this.rewriter.expression(target) as TS.ObjectLiteralExpression, current)));
  }

  /** An assignment target, its object and key held across the awaits in `later`. */
  private target(node: TS.Expression, later: readonly TS.Node[]): TS.Expression {
    while (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node) || ts.isAsExpression(node)) node = node.expression;
    if (ts.isPropertyAccessExpression(node)) {
      const object = this.hold(node.expression, this.expression(node.expression), later);
      return f.createPropertyAccessExpression(object, node.name);
    }
    if (ts.isElementAccessExpression(node)) {
      const object = this.hold(node.expression, this.expression(node.expression), [node.argumentExpression, ...later]);
      const key = this.hold(node.argumentExpression, this.expression(node.argumentExpression), later);
      return f.createElementAccessExpression(object, key);
    }
    return this.rewriter.expression(node);
  }

  private call(node: TS.CallExpression | TS.NewExpression): TS.Expression {
    const args = node.arguments ?? f.createNodeArray();
    if (ts.isCallExpression(node) && ts.isOptionalChain(node) && args.some((a) => this.analysis.containsAwait(a))) {
      throw new TransformError("unsupportedAwait", node, "in the arguments of an optional call");
    }
    const combinator = ts.isCallExpression(node) ? this.rewriter.combinatorCallee(node) : undefined;
    let callee: TS.Expression;
    if (combinator) callee = combinator;
    else if (node.expression.kind === ts.SyntaxKind.ImportKeyword || node.expression.kind === ts.SyntaxKind.SuperKeyword) callee = node.expression;
    else if (ts.isPropertyAccessExpression(node.expression) && ts.isCallExpression(node)) {
      // The method is looked up after the arguments' awaits (so no function is held in a temp, unless the
      // arguments visibly replace it); the receiver is held.
      const access = node.expression;
      const object = this.hold(access.expression, this.expression(access.expression), args);
      callee = access.questionDotToken ? f.createPropertyAccessChain(object, access.questionDotToken, access.name) : f.createPropertyAccessExpression(object, access.name);
      if (args.some((a) => this.analysis.containsAwait(a) && writesProperty(a, access.name.text))) {
        // The arguments replace the method: read it before them, as JS does, and call it on the receiver.
        const method = this.builder.temp(`method ${this.text(access)}`);
        this.builder.emit(f.createExpressionStatement(f.createAssignment(method, callee)));
        return ts.setTextRange(f.createCallExpression(f.createPropertyAccessExpression(method, "call"), undefined, [object, ...this.list(args)]), node);
      }
    } else {
      callee = this.hold(node.expression, this.expression(node.expression), args);
    }
    const loweredArgs = this.list(args);
    if (ts.isNewExpression(node)) return ts.setTextRange(f.createNewExpression(callee, undefined, loweredArgs), node);
    const call = node.questionDotToken || ts.isOptionalChain(node) ? f.createCallChain(callee, node.questionDotToken, undefined, loweredArgs) : f.createCallExpression(callee, undefined, loweredArgs);
    return ts.setTextRange(call, node);
  }

  private object(node: TS.ObjectLiteralExpression): TS.Expression {
    const parts: TS.Expression[] = [];
    for (const p of node.properties) {
      if (ts.isPropertyAssignment(p)) {
        if (ts.isComputedPropertyName(p.name)) parts.push(p.name.expression);
        parts.push(p.initializer);
      } else if (ts.isSpreadAssignment(p)) parts.push(p.expression);
      else if (ts.isShorthandPropertyAssignment(p)) parts.push(p.name);
    }
    const values = this.list(parts);
    let next = 0;
    const properties = node.properties.map((p): TS.ObjectLiteralElementLike => {
      if (ts.isPropertyAssignment(p)) {
        const name = ts.isComputedPropertyName(p.name) ? f.createComputedPropertyName(values[next++]!) : p.name;
        return f.createPropertyAssignment(name, values[next++]!);
      }
      if (ts.isSpreadAssignment(p)) return f.createSpreadAssignment(values[next++]!);
      if (ts.isShorthandPropertyAssignment(p)) return f.createPropertyAssignment(p.name.text, values[next++]!);
      if (p.name && ts.isComputedPropertyName(p.name) && this.analysis.containsAwait(p.name)) throw new TransformError("unsupportedAwait", p, "in a computed method name");
      return (this.rewriter.expression(f.createObjectLiteralExpression([p])) as TS.ObjectLiteralExpression).properties[0]!;
    });
    return f.createObjectLiteralExpression(properties, node.properties.hasTrailingComma);
  }
}

/** The condition under which `a op b` does not evaluate b, given a's value in `left`. */
function shortCircuits(op: TS.SyntaxKind, left: TS.Expression): TS.Expression {
  if (op === ts.SyntaxKind.AmpersandAmpersandToken) return f.createLogicalNot(left);
  if (op === ts.SyntaxKind.BarBarToken) return left;
  return f.createBinaryExpression(left, ts.SyntaxKind.ExclamationEqualsToken, f.createNull());
}

function compoundToBinary(op: TS.SyntaxKind): TS.BinaryOperator {
  const table: Partial<Record<TS.SyntaxKind, TS.BinaryOperator>> = {
    [ts.SyntaxKind.PlusEqualsToken]: ts.SyntaxKind.PlusToken,
    [ts.SyntaxKind.MinusEqualsToken]: ts.SyntaxKind.MinusToken,
    [ts.SyntaxKind.AsteriskEqualsToken]: ts.SyntaxKind.AsteriskToken,
    [ts.SyntaxKind.AsteriskAsteriskEqualsToken]: ts.SyntaxKind.AsteriskAsteriskToken,
    [ts.SyntaxKind.SlashEqualsToken]: ts.SyntaxKind.SlashToken,
    [ts.SyntaxKind.PercentEqualsToken]: ts.SyntaxKind.PercentToken,
    [ts.SyntaxKind.LessThanLessThanEqualsToken]: ts.SyntaxKind.LessThanLessThanToken,
    [ts.SyntaxKind.GreaterThanGreaterThanEqualsToken]: ts.SyntaxKind.GreaterThanGreaterThanToken,
    [ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken]: ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken,
    [ts.SyntaxKind.AmpersandEqualsToken]: ts.SyntaxKind.AmpersandToken,
    [ts.SyntaxKind.BarEqualsToken]: ts.SyntaxKind.BarToken,
    [ts.SyntaxKind.CaretEqualsToken]: ts.SyntaxKind.CaretToken,
  };
  return table[op]!;
}

/** The identifier a plain dotted path `a.b.c` starts from; undefined for calls, optional chains and the like. */
function pathRoot(node: TS.PropertyAccessExpression): TS.Identifier | undefined {
  let object: TS.Expression = node;
  while (ts.isPropertyAccessExpression(object) && !object.questionDotToken) object = object.expression;
  return ts.isIdentifier(object) ? object : undefined;
}

/** Does `node` assign or delete a property named `name` (`x.name = …`, `x["name"] = …`)? */
function writesProperty(node: TS.Node, name: string): boolean {
  const couldBe = (target: TS.Expression): boolean => {
    while (ts.isParenthesizedExpression(target) || ts.isNonNullExpression(target)) target = target.expression;
    if (ts.isPropertyAccessExpression(target)) return target.name.text === name;
    if (ts.isElementAccessExpression(target)) return ts.isStringLiteralLike(target.argumentExpression) && target.argumentExpression.text === name;
    return false;
  };
  const visit = (n: TS.Node): boolean => {
    if (ts.isBinaryExpression(n) && isAssignmentOperator(n.operatorToken.kind) && couldBe(n.left)) return true;
    if (ts.isDeleteExpression(n) && couldBe(n.expression)) return true;
    return ts.forEachChild(n, visit) ?? false;
  };
  return visit(node);
}

function assignsTo(node: TS.Node, name: string): boolean {
  let found = false;
  const visit = (n: TS.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(n) && isAssignmentOperator(n.operatorToken.kind) && mentions(n.left, name)) found = true;
    else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) && mentions(n.operand, name)) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

function mentions(node: TS.Node, name: string): boolean {
  if (ts.isIdentifier(node)) return node.text === name;
  if (ts.isShorthandPropertyAssignment(node)) return node.name.text === name;
  return ts.forEachChild(node, (c) => mentions(c, name) || undefined) ?? false;
}

function hasCall(node: TS.Node): boolean {
  if (ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isTaggedTemplateExpression(node)) return true;
  return ts.forEachChild(node, (c) => hasCall(c) || undefined) ?? false;
}

export { RUNTIME, prop };
