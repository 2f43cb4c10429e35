// Negative fixtures: each `spec/fixtures/diagnostics/<name>.ts` carries the diagnostics it must
// produce in comments. `// @expect OTF1001 col=N` on a line of code expects it on that line at
// column N; a comment line `//    ^ @expect OTF1001` expects it on the line above, at the `^`.
// Each file is compiled one file at a time (the loader's path, no type checker) and, all
// together, as a program with the type checker (the tspc path); both must report exactly the
// expected code, line, column and the catalogue's message. Codes that need types are checked
// on the program path only.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { catalogue, compile, compileProgram, type Diagnostic } from "../../transformer/index.ts";

const root = join(import.meta.dirname, "../..");
const dir = join(root, "spec/fixtures/diagnostics");
/** Codes found from types, which the loader (no type checker) cannot report. */
const needsChecker = new Set(["OTF1008", "OTF1009", "OTF1010"]);

interface Expected {
  readonly code: string;
  readonly line: number;
  readonly column: number;
}

/** The expectations written in a fixture's comments. */
function expectations(source: string): Expected[] {
  const found: Expected[] = [];
  source.split("\n").forEach((text, index) => {
    const expect = /\/\/.*@expect (OTF\d+)(?: col=(\d+))?/.exec(text);
    if (!expect) return;
    const caret = text.indexOf("^");
    const commentOnly = text.trimStart().startsWith("//");
    if (commentOnly && caret < 0) throw new Error(`line ${index + 1}: an @expect on a comment line needs a ^ under the column`);
    if (!commentOnly && !expect[2]) throw new Error(`line ${index + 1}: an @expect after code needs col=N`);
    found.push({ code: expect[1]!, line: commentOnly ? index : index + 1, column: expect[2] ? Number(expect[2]) : caret + 1 });
  });
  return found;
}

function show(d: Pick<Diagnostic, "code" | "line" | "column">): string {
  return `${d.code} at ${d.line}:${d.column}`;
}

/** The catalogue entry's text, as toDiagnostic words it: message (and detail), why, what to do. */
function assertCatalogueMessage(d: Diagnostic): void {
  const entry = Object.values(catalogue).find((e) => `OTF${e.code}` === d.code);
  assert.ok(entry, `${d.code} is not in the catalogue`);
  const why = entry!.why.charAt(0).toUpperCase() + entry!.why.slice(1);
  assert.ok(d.message.startsWith(entry!.message), `${show(d)}: message ${JSON.stringify(d.message)} does not start with the catalogue's ${JSON.stringify(entry!.message)}`);
  assert.ok(d.message.endsWith(`. ${why}; ${entry!.fix}.`), `${show(d)}: message ${JSON.stringify(d.message)} does not end with the catalogue's why and fix`);
}

function assertReported(path: string, expected: readonly Expected[], reported: readonly Diagnostic[], how: string): void {
  const want = expected.map(show).sort();
  const got = reported.map(show).sort();
  assert.equal(got, want, `${how}: expected ${want.join(", ") || "nothing"}, reported ${reported.map((d) => `${show(d)} (${d.message})`).join(", ") || "nothing"} in ${path}`);
  reported.forEach(assertCatalogueMessage);
}

const files = readdirSync(dir).filter((f) => f.endsWith(".ts")).sort();
const program = compileProgram(files.map((f) => join(dir, f)), { projectRoot: root });

test("every catalogue code has a negative fixture", () => {
  const covered = new Set(files.flatMap((f) => expectations(readFileSync(join(dir, f), "utf8")).map((e) => e.code)));
  const missing = Object.values(catalogue).map((e) => `OTF${e.code}`).filter((code) => !covered.has(code));
  assert.equal(missing, [], `no fixture expects ${missing.join(", ")}`);
});

for (const file of files) {
  const path = join(dir, file);
  const source = readFileSync(path, "utf8");
  const expected = expectations(source);
  const title = /^\/\/ (.*)$/m.exec(source)?.[1] ?? file;

  test(`${file.slice(0, -3)}: ${title}`, () => {
    assert.ok(expected.length > 0, `${file} has no @expect comment`);
    const withoutTypes = expected.filter((e) => !needsChecker.has(e.code));
    assertReported(path, withoutTypes, compile(source, path, { projectRoot: root }).diagnostics, "compile() (no type checker)");
    assertReported(path, expected, program.diagnostics.filter((d) => d.file === path), "compileProgram() (type checker)");
  });
}

test.run();
