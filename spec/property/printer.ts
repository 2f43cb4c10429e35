// Prints a generated program (generator.ts) as a TypeScript workflow module, resolving
// each variable reference against what is in scope (never a binding in its temporal
// dead zone) and each break/continue against the enclosing loops, switches and labels.
// It also records which constructs the printed program contains, for coverage.
import type { Expr, Literal, Program, Stmt, SwitchCase } from "./generator.ts";

export interface PrintedProgram { source: string; constructs: Set<string>; }

/** `fn`: a nested closure's name (only `callNested` calls it; a function is never logged). */
type BindingKind = "let" | "var" | "loop" | "const" | "catch" | "input" | "fn";
interface Binding { name: string; kind: BindingKind; }
/** A `for` loop being printed: its variable, whether its update awaits, whether a closure in its body captures it. */
interface ForLoop { binding: Binding | undefined; captured: boolean; }
interface Scope { declared: Set<string>; initialized: Map<string, Binding>; }
interface JumpTarget { kind: "loop" | "switch" | "block"; label: string | null; }

const letNames = ["a", "b", "c"];

class Printer {
  readonly constructs = new Set<string>();
  private scopes: Scope[] = [];
  private targets: JumpTarget[] = [];
  private region: "body" | "try" | "catch" | "finally" = "body";
  private finallyDepth = 0;
  private contexts: string[] = [];
  private inClosure = false;
  private labels = 0;
  private counters = 0;
  private closureMade = false;
  private awaitAfterClosure = false;
  /** Awaits printed so far: a nested closure called once more have been printed is called after an await. */
  private awaits = 0;
  private readonly nestedAwaits = new Map<string, number>();
  /** Inside an optional chain's key or call arguments, or a default parameter: no await may be printed (OTF1005). */
  private awaitFree = false;
  private optionalCalls = 0;
  private forLoops: ForLoop[] = [];

  program(program: Program): string {
    this.scopes = [{ declared: new Set(["input"]), initialized: new Map([["input", { name: "input", kind: "input" }]]) }];
    // A `var` is hoisted to the function: visible (undefined until assigned) everywhere in it.
    // One in a closure's body is printed as an expression statement, so closures are left out.
    const outsideClosures = JSON.stringify(program.body, (_, node) => (node?.kind === "closure" ? null : node));
    if (outsideClosures.includes(`"kind":"var"`)) this.bind("v", "var");
    const params = this.parameters(program.params);
    const redeclared = program.params?.defaultValue != null && program.params.redeclared === true;
    if (redeclared) this.constructs.add("param:var-redeclared");
    const body = [...(redeclared ? ["    var d: unknown = [d];"] : []), ...this.block(program.body, "    ")];
    if (![...this.constructs].some((c) => c.startsWith("await:") || c === "promise-all")) this.constructs.add("await:none");
    const escape = program.rethrows
      ? `throw new Error(JSON.stringify({ error: String(error), log }));`
      : `return { value: "caught", error: String(error), log };`;
    // Tasks are named functions (their source is their key when not compiled), and `ok` returns
    // a copy: a task's result crosses a process boundary in a real run, so its identity with a
    // local of the workflow is never part of what must agree.
    return [
      `import { workflow, task, defer } from "otf";`,
      ``,
      `export const ok = task(function ok(value: unknown) {`,
      `  return structuredClone(value);`,
      `});`,
      `export const fail = task(function fail(message: string): never {`,
      `  throw new Error(message);`,
      `});`,
      ``,
      `export const input = ${JSON.stringify(program.input)};`,
      ``,
      `// Promise.allSettled's results, with each rejection reduced to its message (stacks differ between ways).`,
      `const outcomes = (results: PromiseSettledResult<unknown>[]) =>`,
      `  results.map((r) => (r.status === "fulfilled" ? ["fulfilled", r.value] : ["rejected", String(r.reason)]));`,
      ``,
      `export const main = workflow(async (${params}) => {`,
      `  const log: unknown[] = [];`,
      `  const fns: Array<() => unknown> = [];`,
      `  try {`,
      ...body,
      `    return { value: "done", log };`,
      `  } catch (error) {`,
      `    ${escape}`,
      `  }`,
      `});`,
      ``,
    ].join("\n");
  }

  /** `input`, then a default parameter computed from it and a rest parameter (always empty: main gets one argument). */
  private parameters(params: Program["params"] = { defaultValue: null, rest: false }): string {
    const list = ["input: number[]"];
    if (params.defaultValue !== null) {
      this.constructs.add("param:default");
      list.push(`d: unknown = input.length > 1 ? input[0] : ${printLiteral(params.defaultValue)}`);
      this.bind("d", "let");
    }
    if (params.rest) {
      this.constructs.add("param:rest");
      list.push("...rest: unknown[]");
      this.bind("rest", "input");
    }
    return list.join(", ");
  }

  // ---- scopes -------------------------------------------------------------------

  private withScope<T>(declared: Iterable<string>, run: () => T): T {
    this.scopes.push({ declared: new Set(declared), initialized: new Map() });
    try { return run(); } finally { this.scopes.pop(); }
  }

  private bind(name: string, kind: BindingKind): void {
    const scope = this.scopes.at(-1)!;
    scope.declared.add(name);
    scope.initialized.set(name, { name, kind });
  }

  /** The bindings a reference may name here: for each name its innermost binding, if already initialized. */
  private inScope(): Binding[] {
    const seen = new Set<string>();
    const found: Binding[] = [];
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      for (const name of this.scopes[i].declared) {
        if (seen.has(name)) continue;
        seen.add(name);
        const binding = this.scopes[i].initialized.get(name);
        if (binding) found.push(binding);
      }
    }
    return found.sort((x, y) => (x.name < y.name ? -1 : 1));
  }

  /** Variables a reference may read: not the nested closures (a function is never logged). */
  private visible(): Binding[] {
    return this.inScope().filter((b) => b.kind !== "fn");
  }

  private declaredOutside(name: string): boolean {
    return this.scopes.slice(0, -1).some((scope) => scope.initialized.has(name));
  }

  /** Names a block declares directly, in the order its statements first bind them (mirrors `statement`). */
  private declarations(body: Stmt[]): string[] {
    const names = new Set<string>();
    for (const stmt of body) {
      if (stmt.kind === "let") names.add(letNames[stmt.name]);
      if (stmt.kind === "destructure") for (const n of this.patternNames(stmt.names)) names.add(letNames[n]);
    }
    return [...names];
  }

  private patternNames([first, second]: [number, number]): number[] {
    return first === second ? [first] : [first, second];
  }

  // ---- statements ---------------------------------------------------------------

  private block(body: Stmt[], indent: string): string[] {
    return this.withScope(this.declarations(body), () => body.flatMap((stmt) => this.statement(stmt, indent)));
  }

  private braces(body: Stmt[], indent: string): string {
    const lines = this.block(body, indent + "  ");
    return lines.length ? `{\n${lines.join("\n")}\n${indent}}` : "{}";
  }

  private inContext<T>(context: string, run: () => T): T {
    this.contexts.push(context);
    try { return run(); } finally { this.contexts.pop(); }
  }

  /** A statement; one that calls an optional method and awaits elsewhere records `optional:call-beside-await`. */
  private statement(stmt: Stmt, indent: string): string[] {
    const awaits = this.awaits;
    const optionalCalls = this.optionalCalls;
    const lines = this.statementLines(stmt, indent);
    const simple = ["log", "expression", "let", "assign"].includes(stmt.kind);
    if (simple && this.optionalCalls > optionalCalls && this.awaits > awaits) this.constructs.add("optional:call-beside-await");
    return lines;
  }

  private statementLines(stmt: Stmt, indent: string): string[] {
    const line = (text: string) => [indent + text];
    switch (stmt.kind) {
      case "log":
        return line(`log.push(${JSON.stringify(`s${stmt.tag}`)}, ${this.inContext("argument", () => this.expr(stmt.value))});`);
      case "expression": {
        if (stmt.value.kind === "await") this.constructs.add("await:statement");
        const text = this.inContext("statement", () => this.expr(stmt.value));
        return line(`${text.startsWith("{") ? `(${text})` : text};`);
      }
      case "let": {
        const name = letNames[stmt.name];
        const value = this.inContext("declaration", () => this.expr(stmt.value));
        const scope = this.scopes.at(-1)!;
        if (scope.initialized.has(name)) return line(`${name} = ${value};`);
        if (this.declaredOutside(name)) this.constructs.add("shadowing");
        this.bind(name, "let");
        return line(`let ${name} = ${value};`);
      }
      case "var":
        if (this.inClosure) return line(`(${this.expr(stmt.value)});`);
        this.constructs.add("var");
        return line(`var v = ${this.inContext("declaration", () => this.expr(stmt.value))};`);
      case "destructure":
        return line(this.destructure(stmt));
      case "assign": {
        const value = this.inContext("assignment", () => this.expr(stmt.value));
        const target = this.assignable(stmt.pick);
        return line(target ? `${target} = ${value};` : `${value.startsWith("{") ? `(${value})` : value};`);
      }
      case "if": {
        this.constructs.add("if");
        const test = this.inContext("condition", () => this.expr(stmt.test));
        const then = this.braces(stmt.then, indent);
        if (!stmt.else) return line(`if (${test}) ${then}`);
        this.constructs.add("else");
        return line(`if (${test}) ${then} else ${this.braces(stmt.else, indent)}`);
      }
      case "switch":
        return this.switchStatement(stmt.discriminant, stmt.cases, stmt.defaultCase, indent);
      case "loop":
        return this.loop(stmt, indent);
      case "block": {
        if (!stmt.labelled) return line(this.braces(stmt.body, indent));
        this.constructs.add("labelled-block");
        const label = `B${++this.labels}`;
        return line(`${label}: ${this.jumpTarget({ kind: "block", label }, () => this.braces(stmt.body, indent))}`);
      }
      case "break":
      case "continue":
        return this.jump(stmt.kind, stmt.pick).map((text) => indent + text);
      case "try":
        return line(this.tryStatement(stmt, indent));
      case "throw": {
        this.constructs.add(`throw:${this.region}`);
        const value = this.inContext("throw", () => this.expr(stmt.value));
        return line(stmt.asError ? `throw new Error(String(${value}));` : `throw ${value};`);
      }
      case "return":
        this.constructs.add(`return:${this.region}`);
        // In a closure's block body, the closure's result goes into the log: it must not hold the log.
        if (this.inClosure) return line(`return [${this.expr(stmt.value)}];`);
        return line(`return { value: ${this.inContext("return", () => this.expr(stmt.value))}, log };`);
      case "closure":
        // A closure made by a closure is not lifted, so it is never kept where a snapshot would hold it.
        if (this.inClosure) return [];
        return [this.closure(stmt, indent)];
      case "nested":
        if (this.inClosure) return [];
        return line(this.nested(stmt.captures, stmt.value));
      case "callClosures":
        if (this.inClosure) return line(`log.push(${JSON.stringify(`c${stmt.tag}`)}, fns.length);`);
        if (this.awaitAfterClosure) this.constructs.add("closure:called-after-await");
        return line(`log.push(${JSON.stringify(`c${stmt.tag}`)}, ...fns.map((f) => f()));`);
    }
  }

  private destructure(stmt: Extract<Stmt, { kind: "destructure" }>): string {
    const names = this.patternNames(stmt.names).map((n) => letNames[n]);
    const scope = this.scopes.at(-1)!;
    const fresh = names.filter((name) => !scope.initialized.has(name));
    const source = this.inContext("destructuring-source", () => stmt.source.map((e) => this.expr(e)));
    const fallback = this.inContext("destructuring-default", () => this.expr(stmt.fallback));
    this.constructs.add(`destructuring:${stmt.pattern}`);
    // A name this block already declared is left out of a declaration (a hole) or, when
    // every name is taken, the statement becomes a destructuring assignment.
    const assigning = fresh.length === 0;
    const slot = (name: string) => (assigning || fresh.includes(name) ? name : "");
    const last = names.length - 1;
    let text: string;
    if (stmt.pattern === "array") {
      const pattern = names.map((name, i) => (i === last && slot(name) ? `${name} = ${fallback}` : slot(name))).join(", ");
      text = `[${pattern}] = [${source.join(", ")}]`;
    } else {
      const keys = names.map((_, i) => `p${i}`);
      const pattern = names
        .map((name, i) => (slot(name) ? `${keys[i]}: ${name}${i === last ? ` = ${fallback}` : ""}` : ""))
        .filter(Boolean)
        .join(", ");
      const values = source.map((value, i) => `p${i}: ${value}`).join(", ");
      text = `{ ${pattern} } = { ${values} }`;
    }
    if (assigning) {
      this.constructs.add("destructuring:assignment");
      return stmt.pattern === "array" ? `${text};` : `(${text});`;
    }
    if (fresh.some((name) => this.declaredOutside(name))) this.constructs.add("shadowing");
    for (const name of fresh) this.bind(name, "let");
    return `let ${text};`;
  }

  private switchStatement(discriminant: Expr, cases: SwitchCase[], defaultCase: SwitchCase | null, indent: string): string[] {
    this.constructs.add("switch");
    const test = this.inContext("condition", () => this.expr(discriminant));
    const all = defaultCase ? [...cases, defaultCase] : cases;
    if (defaultCase) this.constructs.add("switch:default");
    const body = this.jumpTarget({ kind: "switch", label: null }, () =>
      all.flatMap((c, i) => {
        if (!c.breaks && i < all.length - 1) this.constructs.add("switch:fallthrough");
        // Each case body is its own block, so a jump straight to a later case never meets a binding in its dead zone.
        const head = c === defaultCase ? "default:" : `case ${this.caseLabel(c, i)}:`;
        const ending = c.continues && this.targets.some((t) => t.kind === "loop") ? "continue" : "break";
        if (ending === "continue" && c.breaks) this.constructs.add("continue:switch");
        return [`${indent}  ${head} ${this.braces(c.body, indent + "  ")}`, ...(c.breaks ? [`${indent}    ${ending};`] : [])];
      }),
    );
    // The discriminant is folded onto 0–2 so that cases are taken as often as skipped.
    return [`${indent}switch (String(${test}).length % 3) {`, ...body, `${indent}}`];
  }

  private loop(stmt: Extract<Stmt, { kind: "loop" }>, indent: string): string[] {
    this.constructs.add(stmt.loop);
    const label = stmt.labelled ? `L${++this.labels}` : null;
    const prefix = label ? `${label}: ` : "";
    const target: JumpTarget = { kind: "loop", label };
    const guard = () => (stmt.test ? ` && ${this.inContext("loop-header", () => this.operand(stmt.test!))}` : "");
    switch (stmt.loop) {
      case "for": {
        const name = ["i", "j"][stmt.name];
        return this.withScope([name], () => {
          if (this.declaredOutside(name)) this.constructs.add("shadowing");
          const start = stmt.start ? `${this.inContext("loop-header", () => this.operand(stmt.start!))} ? 0 : 1` : "0";
          this.bind(name, "loop");
          const test = guard();
          const awaitsBefore = this.awaits;
          const update = stmt.update ? `, ${this.inContext("loop-header", () => this.operand(stmt.update!))}` : "";
          const head = `for (let ${name} = ${start}; ${name} < ${stmt.bound}${test}; ${name}++${update})`;
          const loop: ForLoop = { binding: this.scopes.at(-1)!.initialized.get(name), captured: false };
          this.forLoops.push(loop);
          try {
            const body = this.jumpTarget(target, () => this.braces(stmt.body, indent));
            if (loop.captured && this.awaits > awaitsBefore && !this.inClosure) this.constructs.add("for:closure-await-update");
            return [`${indent}${prefix}${head} ${body}`];
          } finally {
            this.forLoops.pop();
          }
        });
      }
      case "forOf":
      case "forIn": {
        const name = ["x", "y"][stmt.name];
        // The iterable is evaluated with the loop variable already in its dead zone.
        return this.withScope([name], () => {
          const items = this.inContext("loop-header", () => stmt.items!.map((e) => this.expr(e)));
          const of = stmt.loop === "forOf";
          const source = !items.length ? "input" : of ? `[${items.join(", ")}]` : `{ ${items.map((item, i) => `k${i}: ${item}`).join(", ")} }`;
          this.bind(name, "const");
          return [`${indent}${prefix}for (const ${name} ${of ? "of" : "in"} ${source}) ${this.jumpTarget(target, () => this.braces(stmt.body, indent))}`];
        });
      }
      case "while": {
        const counter = `w${++this.counters}`;
        const test = `${counter}++ < ${stmt.bound}${guard()}`;
        return [`${indent}let ${counter} = 0;`, `${indent}${prefix}while (${test}) ${this.jumpTarget(target, () => this.braces(stmt.body, indent))}`];
      }
      case "doWhile": {
        const counter = `w${++this.counters}`;
        const body = this.jumpTarget(target, () => this.braces(stmt.body, indent));
        return [`${indent}let ${counter} = 0;`, `${indent}${prefix}do ${body} while (${counter}++ < ${stmt.bound}${guard()});`];
      }
    }
  }

  private caseLabel(c: SwitchCase, index: number): string {
    if (!c.awaited) return printLiteral(c.label);
    const label = this.inContext("case-label", () => this.awaitExpr({ kind: "await", rejects: false, plain: false, tag: 0, arg: { kind: "literal", value: c.label } }));
    return `(log.push("case${index}"), ${label})`;
  }

  private jumpTarget<T>(target: JumpTarget, run: () => T): T {
    this.targets.push(target);
    try { return run(); } finally { this.targets.pop(); }
  }

  /** Resolves a break or continue to one of the statements it may legally leave; none: prints nothing. */
  private jump(kind: "break" | "continue", pick: number): string[] {
    const innermost = [...this.targets].reverse().find((t) => (kind === "break" ? t.kind !== "block" : t.kind === "loop"));
    const candidates: { text: string; labelled: boolean }[] = [];
    if (innermost) candidates.push({ text: `${kind};`, labelled: false });
    for (const t of this.targets) {
      if (t.label && (kind === "break" || t.kind === "loop")) candidates.push({ text: `${kind} ${t.label};`, labelled: true });
    }
    if (!candidates.length) return [];
    // In a finally block a labelled jump is preferred: leaving several statements from a finally is the harder case.
    const labelled = candidates.filter((c) => c.labelled);
    const choices = this.finallyDepth && labelled.length ? labelled : candidates;
    const chosen = choices[pick % choices.length];
    this.constructs.add(chosen.labelled ? `${kind}:label` : kind);
    if (this.finallyDepth) this.constructs.add(`${kind}:finally`);
    if (this.finallyDepth && chosen.labelled) this.constructs.add(`${kind}:label:finally`);
    if (kind === "continue") {
      const label = chosen.labelled ? chosen.text.slice("continue ".length, -1) : null;
      const loop = this.targets.findLastIndex((t) => t.kind === "loop" && (label === null || t.label === label));
      if (this.targets.slice(loop + 1).some((t) => t.kind === "switch")) this.constructs.add("continue:switch");
    }
    return [chosen.text];
  }

  private tryStatement({ body, handler, finalizer, leaves }: Extract<Stmt, { kind: "try" }>, indent: string): string {
    const catches = handler ?? (finalizer ? null : []);
    this.constructs.add(`try${catches ? ":catch" : ""}${finalizer ? ":finally" : ""}`);
    const outer = this.region;
    try {
      this.region = "try";
      let text = `try ${this.braces(body, indent)}`;
      if (catches) {
        this.region = "catch";
        text += ` catch (e) ${this.withScope(["e"], () => (this.bind("e", "catch"), this.braces(catches, indent)))}`;
      }
      if (finalizer) {
        this.region = "finally";
        this.finallyDepth++;
        const jump: Stmt[] = leaves === null ? [] : [{ kind: this.targets.some((t) => t.kind === "loop") ? "continue" : "break", pick: leaves }];
        try { text += ` finally ${this.braces([...finalizer, ...jump], indent)}`; } finally { this.finallyDepth--; }
      }
      return text;
    } finally {
      this.region = outer;
    }
  }

  /**
   * `fns.push(() => …)`: captures one variable (a loop variable when there is one) besides what
   * `value` reads; with params, `(p = capture, ...r) => …`; with a body, a block body ending in the return.
   */
  private closure(stmt: Extract<Stmt, { kind: "closure" }>, indent: string): string {
    this.constructs.add("closure");
    return this.closureScope(() => {
      const captured = this.capture(stmt.captures);
      const capture = captured.kind === "catch" ? `String(${captured.name})` : captured.name;
      const params = stmt.params ? `p: unknown = ${capture}, ...r: unknown[]` : "";
      if (stmt.params) {
        this.constructs.add("closure:params");
        this.bind("p", "let");
        this.bind("r", "input");
      }
      const result = () => {
        let value = `[${capture}, ${this.inContext("closure", () => this.expr(stmt.value))}${stmt.params ? ", p, r.length" : ""}]`;
        const target = stmt.mutates === null ? null : this.assignable(stmt.mutates, true);
        if (target) {
          this.constructs.add("closure:mutates-capture");
          value = `(${target} = [${target}, ${value}].join("+"))`;
        }
        return value;
      };
      this.closureMade = true;
      if (!stmt.body) {
        const value = result();
        return `${indent}fns.push((${params}) => ${value.startsWith("{") ? `(${value})` : value});`;
      }
      this.constructs.add("closure:block-body");
      const body = stmt.body;
      const lines = this.withScope(this.declarations(body), () => {
        const statements = this.quietly(() => body.flatMap((s) => this.statement(s, indent + "  ")));
        return [...statements, `${indent}  return ${result()};`];
      });
      return [`${indent}fns.push((${params}) => {`, ...lines, `${indent}});`].join("\n");
    });
  }

  /** `const nK = (p = capture) => () => […]`: a closure returning a closure, called later by `callNested`. */
  private nested(captures: number, value: Expr): string {
    this.constructs.add("closure:nested");
    const name = `n${++this.counters}`;
    const text = this.closureScope(() => {
      const captured = this.capture(captures);
      const capture = captured.kind === "catch" ? `String(${captured.name})` : captured.name;
      this.bind("p", "let");
      return `const ${name} = (p: unknown = ${capture}) => () => [${capture}, p, ${this.inContext("closure", () => this.expr(value))}];`;
    });
    this.bind(name, "fn");
    this.nestedAwaits.set(name, this.awaits);
    return text;
  }

  /** Runs `print` as the inside of a closure: its own scope, no jumps out, and no await printed. */
  private closureScope<T>(print: () => T): T {
    const saved = { inClosure: this.inClosure, targets: this.targets, region: this.region, finallyDepth: this.finallyDepth };
    this.inClosure = true;
    this.targets = [];
    this.region = "body";
    this.finallyDepth = 0;
    try {
      return this.withScope([], print);
    } finally {
      Object.assign(this, saved);
    }
  }

  /** Statements of a closure's body record no constructs: what they cover is covered by the workflow's own. */
  private quietly<T>(print: () => T): T {
    const constructs = new Set(this.constructs);
    try {
      return print();
    } finally {
      this.constructs.clear();
      for (const c of constructs) this.constructs.add(c);
    }
  }

  /** The variable a closure captures: a loop variable when there is one. */
  private capture(pick: number): Binding {
    const bindings = this.visible();
    const loopBindings = bindings.filter((b) => b.kind === "loop" || b.kind === "const");
    const captured = (loopBindings.length ? loopBindings : bindings)[pick % (loopBindings.length || bindings.length)];
    if (loopBindings.length) this.constructs.add("closure:captures-loop-variable");
    if (captured.kind === "catch") this.constructs.add("closure:captures-catch-binding");
    for (const loop of this.forLoops) if (loop.binding === captured) loop.captured = true;
    return captured;
  }

  // ---- expressions --------------------------------------------------------------

  /** A variable an assignment may write; `loopToo`: a `for` loop's variable too (a closure's join makes it a string, which ends the loop). */
  private assignable(pick: number, loopToo = false): string | null {
    const targets = this.visible().filter((b) => b.kind === "let" || b.kind === "var" || (loopToo && b.kind === "loop"));
    return targets.length ? targets[pick % targets.length].name : null;
  }

  /** An expression in a position that binds tighter than anything we print: parenthesised unless atomic. */
  private operand(expr: Expr): string {
    const text = this.expr(expr);
    return ["literal", "ref", "array", "object", "template", "concat", "callClosures", "spread", "optional", "keyed", "callNested"].includes(expr.kind) &&
      !text.startsWith("-")
      ? text
      : `(${text})`;
  }

  private expr(expr: Expr): string {
    switch (expr.kind) {
      case "literal":
        return printLiteral(expr.value);
      case "ref": {
        const bindings = this.visible();
        const binding = bindings[expr.pick % bindings.length];
        if (this.inClosure && binding.kind === "catch") this.constructs.add("closure:captures-catch-binding");
        return binding.kind === "catch" ? `String(${binding.name})` : binding.name;
      }
      case "await":
        return this.awaitExpr(expr);
      case "binary":
        return this.inContext("binary", () => `${this.operand(expr.left)} ${expr.op} ${this.operand(expr.right)}`);
      case "logical":
        return this.inContext("logical", () => `${this.operand(expr.left)} ${expr.op} ${this.operand(expr.right)}`);
      case "conditional":
        return this.inContext("conditional", () => `${this.operand(expr.test)} ? ${this.operand(expr.then)} : ${this.operand(expr.else)}`);
      case "template":
        return this.inContext("template", () => "`" + expr.parts.map((p) => "${" + this.expr(p) + "}").join("|") + "`");
      case "array":
        return this.inContext("array", () => `[${expr.items.map((e) => this.expr(e)).join(", ")}]`);
      case "object":
        return this.inContext("object", () => `{ ${expr.items.map((e, i) => `k${i}: ${this.expr(e)}`).join(", ")} }`);
      case "assign": {
        const value = this.inContext("assignment", () => this.operand(expr.value));
        const target = this.assignable(expr.pick);
        if (!target) return value;
        this.constructs.add(expr.op === "=" ? "assignment-expression" : "compound-assignment");
        return `${target} ${expr.op} ${value}`;
      }
      case "all": {
        if (this.inClosure || this.awaitFree) return `[${expr.items.map((item) => this.expr(item.arg)).join(", ")}]`;
        // Promise.race([]) never settles: an empty race is printed as Promise.all.
        const combinator = expr.combinator === "race" && !expr.items.length ? "all" : expr.combinator;
        this.constructs.add(`promise-${combinator}`);
        this.awaitExpr({ kind: "await", rejects: false, plain: false, tag: 0, arg: { kind: "literal", value: 0 } }, false);
        const futures = this.inContext("combinator", () =>
          expr.items.map((item, i) => (item.rejects ? `defer(fail, "${combinator}${i}")` : `defer(ok, ${this.expr(item.arg)})`)),
        );
        const text = `await Promise.${combinator}([${futures.join(", ")}])`;
        return combinator === "allSettled" ? `outcomes(${text})` : text;
      }
      case "tap":
        return this.inContext("argument", () => `(log.push(${JSON.stringify(`t${expr.tag}`)}), ${this.expr(expr.value)})`);
      case "concat":
        // A method call whose receiver holds the first operand: it is evaluated before the arguments.
        return this.inContext("argument", () => {
          const [receiver, ...args] = expr.args.map((e) => this.expr(e));
          return `[${receiver ?? ""}].concat(${args.join(", ")})`;
        });
      case "callClosures":
        if (this.inClosure || this.awaitFree) return "fns.length";
        if (this.awaitAfterClosure) this.constructs.add("closure:called-after-await");
        return "fns.map((f) => f())";
      case "spread":
        return this.spread(expr);
      case "optional": {
        const object = this.inContext("optional", () => this.operand(expr.object));
        this.constructs.add(`optional:${expr.form}`);
        if (expr.form === "member") return `${object}?.length`;
        const key = this.withoutAwaits(() => this.expr(expr.key));
        if (expr.form === "call" && !this.inClosure) this.optionalCalls++;
        return expr.form === "element" ? `${object}?.[${key}]` : `${object}?.hasOwnProperty(${key})`;
      }
      case "keyed": {
        this.constructs.add("computed-key");
        const entries = expr.entries.map((e) => `[${this.inContext("computed-key", () => this.expr(e.key))}]: ${this.inContext("object", () => this.expr(e.value))}`);
        return `{ ${entries.join(", ")} }`;
      }
      case "callNested": {
        const fns = this.inScope().filter((b) => b.kind === "fn");
        if (!fns.length) return this.operand(expr.arg);
        const { name } = fns[expr.pick % fns.length];
        this.constructs.add("closure:nested-called");
        if (!this.inClosure && this.awaits > this.nestedAwaits.get(name)!) this.constructs.add("closure:nested-called-after-await");
        return `${name}(${this.inContext("argument", () => this.expr(expr.arg))})()`;
      }
    }
  }

  /** An array, an `Array.of(…)` call or an object literal with a spread among other items; a spread `log` is only counted. */
  private spread(expr: Extract<Expr, { kind: "spread" }>): string {
    return this.inContext("spread", () => {
      this.constructs.add(`spread:${expr.container}`);
      const before = expr.before.map((e) => this.expr(e));
      let source: string;
      if (expr.source === "log" || expr.source === "input") source = expr.source;
      else if (expr.source === "items" || this.inClosure || this.awaitFree) source = `[${this.expr(expr.value)}]`;
      else source = `(${this.awaitExpr({ kind: "await", rejects: false, plain: false, tag: 0, arg: { kind: "array", items: [expr.value] } })})`;
      const after = expr.after.map((e) => this.expr(e));
      if (expr.source === "log") this.constructs.add("spread:log");
      if (expr.container === "object") {
        const text = `{ ${[...before.map((b, i) => `b${i}: ${b}`), `...${source}`, ...after.map((a, i) => `a${i}: ${a}`)].join(", ")} }`;
        return expr.source === "log" ? `Object.keys(${text}).length` : text;
      }
      const items = [...before, `...${source}`, ...after].join(", ");
      const text = expr.container === "array" ? `[${items}]` : `Array.of(${items})`;
      return expr.source === "log" ? `${text}.length` : text;
    });
  }

  private withoutAwaits<T>(print: () => T): T {
    const saved = this.awaitFree;
    this.awaitFree = true;
    try { return print(); } finally { this.awaitFree = saved; }
  }

  /** Prints `await defer(…)`; with `print` false only records the await's context (for Promise.all). */
  private awaitExpr(expr: Extract<Expr, { kind: "await" }>, print = true): string {
    if (this.inClosure || this.awaitFree) return expr.rejects ? `"f${expr.tag}"` : this.operand(expr.arg);
    this.awaits++;
    // An await counts for every expression it is nested in: `a || f(await x)` is an await in a logical too.
    for (const context of this.contexts) if (context !== "statement") this.constructs.add(`await:${context}`);
    if (this.region !== "body") this.constructs.add(`await:${this.region}`);
    if (this.closureMade) this.awaitAfterClosure = true;
    if (!print) return "";
    if (expr.rejects) {
      this.constructs.add("await:rejected");
      return `await defer(fail, "f${expr.tag}")`;
    }
    if (expr.plain) {
      this.constructs.add("await:plain-value");
      return `await ${this.inContext("await", () => this.operand(expr.arg))}`;
    }
    const arg = this.inContext("await", () => this.expr(expr.arg));
    return `await defer(ok, ${arg})`;
  }
}

function printLiteral(value: Literal): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  return JSON.stringify(value);
}

/** The program as a TypeScript module exporting `main` (the workflow), `input` and the tasks `ok` and `fail`. */
export function printProgram(program: Program): PrintedProgram {
  const printer = new Printer();
  const source = printer.program(program);
  return { source, constructs: printer.constructs };
}

/** Every construct the printer can record; coverage tests assert each of them shows up. */
export const allConstructs = [
  "if", "else", "switch", "switch:default", "switch:fallthrough", "var", "for", "forOf", "forIn", "while", "doWhile",
  "labelled-block", "break", "break:label", "continue", "continue:label", "break:finally", "continue:finally",
  "try:catch", "try:finally", "try:catch:finally", "throw:body", "throw:try", "throw:catch", "throw:finally",
  "return:body", "return:try", "return:catch", "return:finally", "shadowing",
  "destructuring:array", "destructuring:object", "destructuring:assignment", "assignment-expression", "compound-assignment",
  "promise-all", "promise-race", "promise-any", "await:combinator", "await:plain-value",
  "closure", "closure:captures-loop-variable", "closure:captures-catch-binding", "closure:mutates-capture", "closure:called-after-await",
  "await:statement", "await:argument", "await:condition", "await:loop-header", "await:logical", "await:conditional",
  "await:template", "await:array", "await:object", "await:binary", "await:await", "await:assignment",
  "await:declaration", "await:destructuring-default", "await:destructuring-source", "await:return", "await:throw",
  "await:case-label", "await:try", "await:catch", "await:finally", "await:rejected", "await:none",
  "param:default", "param:rest", "param:var-redeclared", "closure:params", "closure:block-body", "closure:nested", "closure:nested-called",
  "closure:nested-called-after-await", "spread:array", "spread:call", "spread:object", "spread:log", "await:spread",
  "optional:member", "optional:element", "optional:call", "optional:call-beside-await", "await:optional", "computed-key", "await:computed-key",
  "promise-allSettled", "continue:switch", "break:label:finally", "continue:label:finally", "for:closure-await-update",
];
