// The transformer over one source file: finds workflows and tasks, compiles each workflow
// into its state machine (emit.ts), and adds the runtime import and module constants.
import { dirname, relative, resolve } from "node:path";
import { existsSync } from "node:fs";
import type TS from "typescript";
import { f, ts, typescriptPackage, useTypeScript } from "./typescript.ts";
import { RUNTIME } from "./builder.ts";
import { TransformError, toDiagnostic, type Diagnostic } from "./diagnostics.ts";
import { emitWorkflow } from "./emit.ts";
import { OTF_MODULE, atModuleLevel, exportedTaskName, Sites, nameOfCall, otfImports } from "./find.ts";

export interface TransformOptions {
  /** The TypeScript compiling the files (default: the `typescript` package); nodes are made with it. */
  readonly typescript?: typeof TS;
  /** Workflow ids are module paths relative to this (default: the nearest folder with a package.json). */
  readonly projectRoot?: string;
  /** With a program (tspc), `workflow` is also recognised through re-exports. */
  readonly checker?: TS.TypeChecker;
  /** Receives each problem found; the workflow it concerns is left uncompiled. */
  readonly report: (diagnostic: Diagnostic) => void;
}

export function projectRootOf(fileName: string): string {
  let dir = dirname(resolve(fileName));
  for (;;) {
    if (existsSync(resolve(dir, "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export function moduleId(fileName: string, projectRoot: string): string {
  return relative(projectRoot, resolve(fileName)).replaceAll("\\", "/");
}

export function workflowTransformer(options: TransformOptions): TS.TransformerFactory<TS.SourceFile> {
  const typescript = options.typescript ?? typescriptPackage();
  return (context) => (sourceFile) => {
    useTypeScript(typescript);
    const imports = otfImports(sourceFile);
    if (!options.checker && imports.workflow.size + imports.task.size + imports.namespaces.size === 0 && !sourceFile.text.includes("@workflow")) return sourceFile;
    const sites = new Sites(sourceFile, imports, options.checker);
    if (sites.kinds.size === 0) return sourceFile;
    const root = options.projectRoot ?? projectRootOf(sourceFile.fileName);
    const modulePath = moduleId(sourceFile.fileName, root);
    const prelude: TS.Statement[] = [];
    let count = 0;
    const report = (error: unknown) => {
      if (!(error instanceof TransformError)) throw error;
      options.report(toDiagnostic(error, sourceFile));
    };

    const compile = (fn: TS.FunctionLikeDeclaration, name: string | undefined, site: TS.Node): TS.Expression | undefined => {
      try {
        if (!name) throw new TransformError("anonymousWorkflow", site);
        if (!atModuleLevel(site)) throw new TransformError("notTopLevel", site);
        if (!fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || fn.asteriskToken || !fn.body) throw new TransformError("notAsync", fn);
        const emitted = emitWorkflow({ fn, name, id: `${modulePath}#${name}`, sourceFile, context, index: count++, checker: options.checker });
        prelude.push(...emitted.prelude);
        return emitted.definition;
      } catch (error) {
        report(error);
        return undefined;
      }
    };

    const visit = (node: TS.Node): TS.Node | TS.Node[] => {
      const kind = sites.kinds.get(node);
      if (kind === "workflow") {
        const call = node as TS.CallExpression;
        const fn = call.arguments[0];
        if (fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) {
          const compiled = compile(fn, nameOfCall(call, fn), call);
          if (compiled) return compiled;
          sites.scanChildren(call);
        }
        return ts.visitEachChild(call, visit, context);
      }
      if (kind === "task") {
        const call = node as TS.CallExpression;
        const site = f.createObjectLiteralExpression([f.createPropertyAssignment("module", f.createPropertyAccessExpression(f.createMetaProperty(ts.SyntaxKind.ImportKeyword, f.createIdentifier("meta")), "url")), f.createPropertyAssignment("export", f.createStringLiteral(exportedTaskName(call)!))]);
        const args = ts.visitNodes(call.arguments, visit, ts.isExpression);
        return f.updateCallExpression(call, call.expression, call.typeArguments, [args[0]!, args[1] ?? f.createVoidZero(), site]);
      }
      if (kind === "tagged") {
        const declaration = node as TS.FunctionDeclaration;
        const name = declaration.name!.text;
        const compiled = compile(declaration, name, declaration);
        if (!compiled) return declaration;
        const exported = declaration.modifiers?.filter((m) => m.kind === ts.SyntaxKind.ExportKeyword) as TS.Modifier[] | undefined;
        const isDefault = declaration.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
        const statement = f.createVariableStatement(isDefault ? undefined : exported, f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, undefined, compiled)], ts.NodeFlags.Const));
        ts.setTextRange(statement, declaration);
        return isDefault ? [statement, f.createExportAssignment(undefined, false, f.createIdentifier(name))] : statement;
      }
      if (!sites.paths.has(node)) return node;
      if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
        // Its members only: a workflow in a decorator or an extends clause is not compiled.
        const members = node.members.map((member) => (sites.kinds.get(member) === "method" ? method(node, member as TS.MethodDeclaration) : (visit(member) as TS.ClassElement)));
        if (members.every((member, i) => member === node.members[i])) return node;
        return ts.isClassDeclaration(node)
          ? f.updateClassDeclaration(node, node.modifiers, node.name, node.typeParameters, node.heritageClauses, members)
          : f.updateClassExpression(node, node.modifiers, node.name, node.typeParameters, node.heritageClauses, members);
      }
      return ts.visitEachChild(node, visit, context);
    };

    /** A static `@workflow` method becomes a static property holding the compiled workflow. */
    const method = (owner: TS.ClassLikeDeclaration, member: TS.MethodDeclaration): TS.ClassElement => {
      const className = owner.name?.text ?? "anonymous";
      const methodName = ts.isIdentifier(member.name) ? member.name.text : undefined;
      const isStatic = member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
      if (!isStatic) {
        report(new TransformError("thisOrArguments", member, "a @workflow method must be static"));
        return member;
      }
      const compiled = compile(member, methodName && `${className}.${methodName}`, owner);
      if (!compiled) return member;
      return ts.setTextRange(f.createPropertyDeclaration([f.createModifier(ts.SyntaxKind.StaticKeyword)], member.name, undefined, undefined, compiled), member);
    };

    const statements = ts.visitNodes(sourceFile.statements, visit, ts.isStatement);
    if (count === 0) return f.updateSourceFile(sourceFile, statements);
    const runtimeImport = f.createImportDeclaration(undefined, f.createImportClause(false, undefined, f.createNamedImports([f.createImportSpecifier(false, f.createIdentifier("machine"), f.createIdentifier(RUNTIME))])), f.createStringLiteral(OTF_MODULE));
    const lastImport = statements.findLastIndex((s) => ts.isImportDeclaration(s));
    return f.updateSourceFile(sourceFile, [...statements.slice(0, lastImport + 1), runtimeImport, ...prelude, ...statements.slice(lastImport + 1)]);
  };
}
