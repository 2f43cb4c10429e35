// The TypeScript the transformer reads and builds nodes with. Under tspc it is the compiler's own
// (ts-patch hands it to the plugin), so the plugin loads no second copy of TypeScript and calls
// code the compiler has already warmed up; compile() and the loader hook bring the package's.
import { createRequire } from "node:module";
import type TS from "typescript";

// What the transformer calls, copied once per TypeScript into small plain objects: TypeScript's
// namespace (2,000 members, each read through a getter) and its node factory (500) are objects V8
// keeps as hash tables, and looking a function up on them at every call took a third of the
// transformer's time. A name missing here is a type error where it is used.
const API = [
  "DiagnosticCategory", "NodeFlags", "SymbolFlags", "SyntaxKind", "TypeFlags", "findAncestor",
  "forEachChild", "getDecorators", "getJSDocTags", "getLeadingCommentRanges", "getOriginalNode", "isArrayLiteralExpression",
  "isArrowFunction", "isAsExpression", "isAwaitExpression", "isBinaryExpression",
  "isBindingElement", "isBlock", "isBreakOrContinueStatement", "isBreakStatement",
  "isCallExpression", "isCaseBlock", "isCatchClause", "isClassDeclaration", "isClassExpression",
  "isClassLike", "isClassStaticBlockDeclaration", "isComputedPropertyName",
  "isConditionalExpression", "isContinueStatement", "isDefaultClause", "isDeleteExpression",
  "isDoStatement", "isElementAccessExpression", "isEmptyStatement", "isEnumMember",
  "isExportDeclaration", "isExportSpecifier", "isExpression", "isExpressionStatement",
  "isExpressionWithTypeArguments", "isForInStatement", "isForOfStatement", "isForStatement",
  "isFunctionDeclaration", "isFunctionExpression", "isFunctionLike", "isGetAccessor",
  "isIdentifier", "isIfStatement", "isImportClause", "isImportDeclaration", "isImportSpecifier",
  "isInterfaceDeclaration", "isIterationStatement", "isJsxAttribute", "isLabeledStatement",
  "isLiteralExpression", "isMetaProperty", "isMethodDeclaration", "isMethodSignature",
  "isNamedExports", "isNamespaceImport", "isNewExpression", "isNonNullExpression",
  "isObjectBindingPattern", "isObjectLiteralExpression", "isOmittedExpression", "isOptionalChain",
  "isParameter", "isParenthesizedExpression", "isPostfixUnaryExpression",
  "isPrefixUnaryExpression", "isPrivateIdentifier", "isPropertyAccessExpression",
  "isPropertyAssignment", "isPropertyDeclaration", "isPropertySignature", "isQualifiedName",
  "isRegularExpressionLiteral", "isReturnStatement", "isSatisfiesExpression", "isSetAccessor",
  "isShorthandPropertyAssignment", "isSourceFile", "isSpreadAssignment", "isSpreadElement",
  "isStatement", "isStringLiteral", "isStringLiteralLike", "isSwitchStatement",
  "isTaggedTemplateExpression", "isTemplateExpression", "isTemplateSpan", "isThrowStatement",
  "isTryStatement", "isTypeAliasDeclaration", "isTypeAssertionExpression", "isTypeNode",
  "isTypeOfExpression", "isTypeParameterDeclaration", "isVariableDeclaration",
  "isVariableDeclarationList", "isVariableStatement", "isVoidExpression", "isWhileStatement",
  "isWithStatement", "isYieldExpression", "setOriginalNode", "setTextRange", "visitEachChild",
  "visitNodes",
] as const;
const FACTORY = [
  "createArrayBindingPattern", "createArrayLiteralExpression", "createArrowFunction",
  "createAssignment", "createBinaryExpression", "createBindingElement", "createBlock",
  "createCallChain", "createCallExpression", "createCaseBlock", "createCaseClause",
  "createCatchClause", "createComma", "createComputedPropertyName", "createContinueStatement",
  "createDefaultClause", "createDeleteExpression", "createElementAccessChain",
  "createElementAccessExpression", "createEmptyStatement", "createExportAssignment",
  "createExpressionStatement", "createForStatement", "createFunctionExpression",
  "createIdentifier", "createIfStatement", "createImportClause", "createImportDeclaration",
  "createImportSpecifier", "createLabeledStatement", "createLogicalNot", "createMetaProperty",
  "createModifier", "createNamedImports", "createNewExpression", "createNodeArray", "createNull",
  "createNumericLiteral", "createObjectLiteralExpression", "createOmittedExpression",
  "createParameterDeclaration", "createParenthesizedExpression", "createPostfixIncrement",
  "createPostfixUnaryExpression", "createPrefixUnaryExpression", "createPropertyAccessChain",
  "createPropertyAccessExpression", "createPropertyAssignment", "createPropertyDeclaration",
  "createReturnStatement", "createSpreadAssignment", "createSpreadElement", "createStrictEquality",
  "createStrictInequality", "createStringLiteral", "createSwitchStatement",
  "createTemplateExpression", "createTemplateSpan", "createThrowStatement", "createTryStatement",
  "createTypeOfExpression", "createUniqueName", "createVariableDeclaration",
  "createVariableDeclarationList", "createVariableStatement", "createVoidExpression",
  "createVoidZero", "updateBlock", "updateCallExpression", "updateCatchClause",
  "updateClassDeclaration", "updateClassExpression", "updateForInStatement",
  "updateForOfStatement", "updateForStatement", "updateSourceFile", "updateVariableDeclaration",
] as const;

/** The part of TypeScript's namespace the transformer uses; set by `useTypeScript`. */
export let ts: Pick<typeof TS, (typeof API)[number]>;
/** The part of `ts.factory` the transformer uses. */
export let f: Pick<TS.NodeFactory, (typeof FACTORY)[number]>;
let current: typeof TS | undefined;

export function useTypeScript(instance: typeof TS): void {
  if (current === instance) return;
  current = instance;
  ts = Object.fromEntries(API.map((name) => [name, instance[name]])) as typeof ts;
  f = Object.fromEntries(FACTORY.map((name) => [name, instance.factory[name]])) as typeof f;
}

/** The `typescript` package, for callers that have no compiler's own at hand. */
export function typescriptPackage(): typeof TS {
  return createRequire(import.meta.url)("typescript") as typeof TS;
}
