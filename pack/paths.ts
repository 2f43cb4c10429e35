// Paths inside a value, for encode errors: `$.locals.order[2]`, `$.cache.get("k")`.
// Writers do not track paths as they go (that would cost every encode); when one fails
// on a value, this walks the input again, in the writers' order, to find where it was.
import { EncodeFailure, PackError } from "./errors.ts";
import { encodingOf, isRegistered } from "./lookup.ts";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export function keySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function mapKeySegment(key: unknown, index: number): string {
  if (typeof key === "string") return `.get(${JSON.stringify(key)})`;
  if (typeof key === "number" || typeof key === "boolean") return `.get(${String(key)})`;
  return `.values()[${index}]`;
}

type Child = [value: unknown, path: string];

/** The children of a value with their paths, in the order the writers visit them. */
function childrenOf(value: object, path: string, reductions: ReadonlyMap<object, unknown> | undefined): Child[] {
  const encoding = encodingOf(value);
  if (encoding === undefined) return [];
  if (encoding === "object") {
    return Object.keys(value).map((key): Child => [(value as Record<string, unknown>)[key], path + keySegment(key)]);
  }
  if (encoding === "array") return Array.from(value as unknown[], (item, i): Child => [item, `${path}[${i}]`]);
  if (isRegistered(encoding)) {
    let reduced = reductions?.get(value);
    if (reduced === undefined) {
      try { reduced = encoding.reduce(value); } catch { return []; }
    }
    return [[reduced, `${path}@${encoding.name}`]];
  }
  switch (encoding.layout) {
    case "entries": {
      const parts = encoding.parts(value as never);
      const children: Child[] = [];
      for (let i = 0; i < parts.length; i += 2) {
        children.push([parts[i], `${path}.keys()[${i / 2}]`], [parts[i + 1], path + mapKeySegment(parts[i], i / 2)]);
      }
      return children;
    }
    case "members":
      return encoding.parts(value as never).map((member, i): Child => [member, `${path}.values()[${i}]`]);
    case "props": {
      const parts = encoding.parts(value as never);
      const children: Child[] = [];
      for (let i = 0; i < parts.length; i += 2) children.push([parts[i + 1], path + keySegment(parts[i] as string)]);
      return children;
    }
    case "args": {
      // Only views have an object among their parts: their buffer, first.
      const first = encoding.parts(value as never)[0];
      return typeof first === "object" && first !== null ? [[first, `${path}.buffer`]] : [];
    }
    default:
      return [];
  }
}

/** The first path from root at which target is found, depth first; "$" if it is not found. */
export function pathTo(root: unknown, target: unknown, reductions?: ReadonlyMap<object, unknown>): string {
  const seen = new Set<object>();
  // An explicit stack: the value that failed may be the one nested too deep to recurse.
  const stack: Child[] = [[root, "$"]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (Object.is(value, target)) return path;
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
    seen.add(value);
    let children: Child[];
    try { children = childrenOf(value, path, reductions); } catch { continue; }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return "$";
}

/** Turns whatever a writer threw into the PackError encode() and dumps() report. */
export function encodeError(root: unknown, error: unknown, reductions?: ReadonlyMap<object, unknown>): unknown {
  if (error instanceof EncodeFailure) {
    return new PackError(error.code, error.message, { path: pathTo(root, error.value, reductions), cause: error.cause });
  }
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new PackError("too-deep", "the value nests deeper than the stack allows", { path: "$" });
  }
  // A getter or a user's reduce() threw something of its own: that is the caller's to see.
  return error;
}
