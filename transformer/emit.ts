// Emits one workflow: runs the phases (analyse → lower statements into states → lay out) and
// builds `__otf.defineWorkflow({ id, hash, points, …, step })` plus the module-level constants
// it needs (its try-region table and its lifted closures).
import { hash } from "node:crypto";
import type TS from "typescript";
import { ts, f } from "./typescript.ts";
import { checkFrameTypes } from "./checks.ts";
import { Liveness } from "./liveness.ts";
import { DISPATCH, FRAME, LOCALS, RUNTIME, StateBuilder, TEMPS, assign, id, num, prop, runtimeCall } from "./builder.ts";
import { CLOSURE_ENV, Rewriter, boundIdentifiers, patternTarget, type RewriteHooks } from "./rewrite.ts";
import { analyse, type Analysis, type ClosureInfo, type NestedFunction } from "./scope.ts";
import { StatementLowering } from "./statements.ts";

export interface EmittedWorkflow {
  /** Replaces the workflow's definition. */
  readonly definition: TS.Expression;
  /** Module-level constants, placed after the imports. */
  readonly prelude: TS.Statement[];
}

export interface WorkflowInput {
  readonly fn: TS.FunctionLikeDeclaration;
  readonly name: string;
  readonly id: string;
  readonly sourceFile: TS.SourceFile;
  readonly context: TS.TransformationContext;
  /** Distinguishes this workflow's module constants from others' in the same file. */
  readonly index: number;
  /** With a program (tspc): type-based checks of locals and for…of. */
  readonly checker?: TS.TypeChecker;
}

export function sourceHash(text: string): string {
  return hash("sha256", text).slice(0, 16);
}

export function emitWorkflow(input: WorkflowInput): EmittedWorkflow {
  const { fn, sourceFile, context } = input;
  const analysis = analyse(fn);
  const liveness = new Liveness(fn, analysis);
  if (input.checker) checkFrameTypes(liveness, input.checker);
  const builder = new StateBuilder();
  const prelude: TS.Statement[] = [];
  const closureNames = new Map<string, number>();
  const regionsName = `__otf_regions_${input.index}`;
  const contextsName = `__otf_contexts_${input.index}`;

  let lowering: StatementLowering;
  const hooks: RewriteHooks = {
    jump: (kind, label, node) => lowering.jump(kind, label, node),
    ret: (value) => lowering.returnStatement(value),
    lift: (nested, info) => lift(nested, info),
  };
  const rewriter = new Rewriter(context, analysis, hooks);
  lowering = new StatementLowering(builder, analysis, rewriter, sourceFile);
  lowering.regionsName = regionsName;
  lowering.lift = (nested, info) => lift(nested, info);
  lowering.checker = input.checker;
  lowering.liveness = liveness;

  function lift(nested: NestedFunction, info: ClosureInfo): TS.Expression {
    const base = nested.name?.text ?? nameOfFunction(nested) ?? "anonymous";
    const ordinal = (closureNames.get(base) ?? 0) + 1;
    closureNames.set(base, ordinal);
    const closureId = `${input.id}/${base}${ordinal > 1 ? `#${ordinal}` : ""}`;
    const factoryName = `__otf_closure_${input.index}_${prelude.length}`;
    const body = rewriter.closureBody(nested);
    const asExpression = ts.isFunctionDeclaration(body) ? f.createFunctionExpression(body.modifiers?.filter((m) => m.kind === ts.SyntaxKind.AsyncKeyword) as TS.Modifier[] | undefined, body.asteriskToken, body.name, undefined, body.parameters, undefined, body.body!) : body;
    const factory = f.createArrowFunction(undefined, undefined, [f.createParameterDeclaration(undefined, undefined, CLOSURE_ENV)], undefined, undefined, asExpression as TS.Expression);
    prelude.push(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(factoryName, undefined, undefined, runtimeCall("defineClosure", [f.createStringLiteral(closureId), factory]))], ts.NodeFlags.Const)));
    const env = [f.createPropertyAssignment("locals", id(LOCALS)), ...info.captures.filter((b) => b.storage === "box").map((b) => f.createPropertyAssignment(f.createStringLiteral(b.key), prop(LOCALS, b.key)))];
    return ts.setTextRange(f.createCallExpression(id(factoryName), undefined, [f.createObjectLiteralExpression(env)]), nested);
  }

  // State 0 binds the parameters from the call's arguments.
  bindParameters(fn, analysis, rewriter, builder);
  // `var`s exist from the start, so a snapshot has them (undefined) even if their declaration has not run.
  const parameters = new Set(fn.parameters.flatMap((p) => boundIdentifiers(p.name)).map((n) => n.text));
  for (const b of analysis.bindings) {
    if (b.isVar && b.scope.node === fn && b.storage === "frame" && !parameters.has(b.name)) builder.emit(assign(prop(LOCALS, b.key), f.createVoidZero()));
  }
  builder.emit(assign(prop(FRAME, "args"), f.createVoidZero()));

  const body = fn.body!;
  if (ts.isBlock(body)) lowering.statements(body.statements);
  else builder.end(ts.setTextRange(lowering.returnStatement(lowering.expression(body)), body));
  if (!builder.closed) builder.end(lowering.returnStatement(f.createVoidZero()));

  const hasRegions = builder.regions.length > 0;
  const dispatch = hasRegions
    ? f.createTryStatement(
        f.createBlock([builder.switchStatement()], true),
        f.createCatchClause("$e", f.createBlock([f.createIfStatement(f.createLogicalNot(runtimeCall("unwind", [id(FRAME), id("$e"), id(contextsName), id(regionsName)])), f.createThrowStatement(id("$e")))], true)),
        undefined,
      )
    : builder.switchStatement();
  const stepBody = f.createBlock(
    [
      f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(LOCALS, undefined, undefined, prop(FRAME, "locals")), f.createVariableDeclaration(TEMPS, undefined, undefined, prop(FRAME, "temps"))], ts.NodeFlags.Const)),
      f.createLabeledStatement(DISPATCH, f.createForStatement(undefined, undefined, undefined, f.createBlock([dispatch], true))),
    ],
    true,
  );
  const step = f.createFunctionExpression(undefined, undefined, safeName(input.name), undefined, [f.createParameterDeclaration(undefined, undefined, FRAME)], undefined, stepBody);

  prelude.push(
    constant(regionsName, f.createArrayLiteralExpression(builder.regions.map((r) => f.createObjectLiteralExpression([f.createPropertyAssignment("parent", num(r.parent)), f.createPropertyAssignment("catchState", num(r.catchState)), f.createPropertyAssignment("finallyState", num(r.finallyState))])))),
    constant(contextsName, f.createArrayLiteralExpression(builder.contexts().map(num))),
  );

  const points = f.createArrayLiteralExpression(
    builder.points.map((p) =>
      f.createObjectLiteralExpression([
        f.createPropertyAssignment("key", f.createStringLiteral(p.key)),
        f.createPropertyAssignment("state", num(p.state)),
        f.createPropertyAssignment("line", num(p.line)),
        f.createPropertyAssignment("source", f.createStringLiteral(p.source)),
        f.createPropertyAssignment("locals", strings(p.locals)),
        f.createPropertyAssignment("temps", strings(p.temps)),
        f.createPropertyAssignment("finallies", f.createArrayLiteralExpression(p.finallies.map(num))),
      ]),
    ),
    true,
  );
  const definition = runtimeCall("defineWorkflow", [
    f.createObjectLiteralExpression(
      [
        f.createPropertyAssignment("id", f.createStringLiteral(input.id)),
        f.createPropertyAssignment("name", f.createStringLiteral(input.name)),
        f.createPropertyAssignment("hash", f.createStringLiteral(sourceHash(fn.getText(sourceFile)))),
        f.createPropertyAssignment("module", f.createPropertyAccessExpression(f.createMetaProperty(ts.SyntaxKind.ImportKeyword, f.createIdentifier("meta")), "url")),
        f.createPropertyAssignment("points", points),
        f.createPropertyAssignment("contexts", id(contextsName)),
        f.createPropertyAssignment("regions", id(regionsName)),
        f.createPropertyAssignment("step", step),
      ],
      true,
    ),
  ]);
  return { definition: ts.setTextRange(definition, fn), prelude };
}

/**
 * Parameters in the frame are assigned from `$F.args` by one destructuring; in a workflow with
 * no await and no closure capturing one, they stay JS locals, declared by `let` (`var` when the
 * body redeclares one with `var`; scope.ts keeps the parameters together, so a default reads an
 * earlier parameter where it was just bound).
 */
function bindParameters(fn: TS.FunctionLikeDeclaration, analysis: Analysis, rewriter: Rewriter, builder: StateBuilder): void {
  if (fn.parameters.length === 0) return;
  const names = fn.parameters.flatMap((p) => boundIdentifiers(p.name));
  const bindings = names.map((n) => analysis.bindingOf(n)!);
  const rewrite = (e: TS.Expression) => rewriter.expression(e);
  if (bindings.every((b) => b.storage !== "local")) {
    for (const b of bindings) if (b.storage === "box") builder.emit(assign(prop(LOCALS, b.key), runtimeCall("box", [f.createVoidZero()])));
    const pattern = f.createArrayLiteralExpression(
      fn.parameters.map((p) => {
        const target = patternTarget(p.name, analysis, { kind: "step" }, rewrite);
        if (p.dotDotDotToken) return f.createSpreadElement(target);
        return p.initializer ? f.createAssignment(target, rewrite(p.initializer)) : target;
      }),
    );
    builder.emit(ts.setTextRange(f.createExpressionStatement(f.createAssignment(pattern, prop(FRAME, "args"))), fn.parameters));
    return;
  }
  const pattern = f.createArrayBindingPattern(fn.parameters.map((p) => f.createBindingElement(p.dotDotDotToken, undefined, p.name, p.initializer && rewrite(p.initializer))));
  // A body `var` of a parameter's name is the same variable (scope.ts): `let` beside it would not load.
  const flags = bindings.some((b) => b.isVar) ? ts.NodeFlags.None : ts.NodeFlags.Let;
  builder.emit(ts.setTextRange(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(pattern, undefined, undefined, prop(FRAME, "args"))], flags)), fn.parameters));
}

function strings(values: readonly string[]): TS.ArrayLiteralExpression {
  return f.createArrayLiteralExpression(values.map((v) => f.createStringLiteral(v)));
}

function constant(name: string, value: TS.Expression): TS.Statement {
  return f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, undefined, value)], ts.NodeFlags.Const));
}

function nameOfFunction(node: TS.Node): string | undefined {
  const p = node.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) return p.name.text;
  return undefined;
}

function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_$]/g, "_");
  return /^[A-Za-z_$]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

export { RUNTIME };
