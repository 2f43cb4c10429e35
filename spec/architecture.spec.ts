// The tree tells the architecture (STYLE.md): data flows one way, and no folder reaches into
// another's private files. This reads every import of every source file and fails on a wrong-way
// arrow or on an import of another folder's file other than its public index.ts.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";

const root = join(import.meta.dirname, "..");

/** What each part may import: itself, and the parts listed. */
const allowed: Record<string, readonly string[]> = {
  pack: [],
  runtime: ["pack"],
  transformer: ["runtime", "pack"],
  scheduler: ["runtime", "pack", "transformer"],
  testing: ["runtime", "pack", "transformer"],
};

/** The package's own entry points, by import specifier. */
const packageEntries: Record<string, string> = {
  otf: "runtime",
  "otf/pack": "pack",
  "otf/transformer": "transformer",
  "otf/scheduler": "scheduler",
  "otf/testing": "testing",
  "otf/register": "transformer",
  "otf/plugin": "transformer",
};

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

for (const part of Object.keys(allowed)) {
  test(`${part}/ imports only ${allowed[part]!.length ? allowed[part]!.join(", ") + " (through their index.ts)" : "itself"}`, () => {
    let files: string[];
    try {
      files = sources(part);
    } catch {
      return; // the part does not exist yet
    }
    const wrong: string[] = [];
    for (const file of files) {
      for (const specifier of importsOf(file)) {
        let target: string | undefined;
        let path: string | undefined;
        if (specifier.startsWith(".")) {
          path = relative(root, resolve(dirname(join(root, file)), specifier));
          target = path.split("/")[0];
        } else if (specifier in packageEntries) {
          target = packageEntries[specifier];
        } else continue;
        if (target === part) continue;
        if (!allowed[part]!.includes(target!)) wrong.push(`${file} imports ${specifier} (${part} → ${target} is a wrong-way arrow)`);
        else if (path !== undefined && path !== `${target}/index.ts`) wrong.push(`${file} imports ${specifier}, a private file of ${target}/ (use ${target}/index.ts)`);
      }
    }
    assert.equal(wrong, []);
  });
}

test.run();
