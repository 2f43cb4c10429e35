// The first difference between two values: structural equality that also checks identity
// topology (shared references and cycles), the one comparison every check of otf shares.
// Used by otf/testing to compare runs of a workflow, and by otf's own spec laws.

/**
 * The first difference between two values, or undefined when they are isomorphic:
 * same types and prototypes, same primitives (-0, NaN and holes included), same key
 * order, and the same sharing: two paths meet at one object in `a` exactly when they
 * meet at one object in `b` (so cycles and shared references must be kept).
 */
export function difference(a: unknown, b: unknown): string | undefined {
  const forward = new Map<object, object>();
  const backward = new Map<object, object>();
  const stack: [unknown, unknown, string][] = [[a, b, "$"]];
  while (stack.length > 0) {
    const [x, y, path] = stack.pop()!;
    const found = compare(x, y, path, forward, backward, (cx, cy, cpath) => stack.push([cx, cy, cpath]));
    if (found !== undefined) return found;
  }
  return undefined;
}

type Push = (x: unknown, y: unknown, path: string) => void;

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (typeof v === "bigint") return `${v}n`;
  if (Object.is(v, -0)) return "-0";
  if (typeof v === "object" && v !== null) return Object.prototype.toString.call(v);
  return String(v);
}

function compare(x: unknown, y: unknown, path: string, forward: Map<object, object>, backward: Map<object, object>, push: Push): string | undefined {
  if ((typeof x !== "object" && typeof x !== "function") || x === null) {
    return Object.is(x, y) ? undefined : `${path}: ${show(x)} became ${show(y)}`;
  }
  if ((typeof y !== "object" && typeof y !== "function") || y === null) return `${path}: ${show(x)} became ${show(y)}`;
  const seen = forward.get(x);
  if (seen !== undefined || backward.has(y)) {
    return seen === y ? undefined : `${path}: sharing differs (an object met twice on one side is two objects on the other)`;
  }
  forward.set(x, y);
  backward.set(y, x);
  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return `${path}: prototype differs (${show(x)} vs ${show(y)})`;
  if (typeof x === "function") return x === y ? undefined : `${path}: two different functions`;
  return compareContents(x, y, path, push);
}

function compareKeys(x: object, y: object, path: string, push: Push): string | undefined {
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  if (kx.join("\u0000") !== ky.join("\u0000")) return `${path}: keys ${JSON.stringify(kx)} became ${JSON.stringify(ky)}`;
  for (const k of kx) push((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}[${JSON.stringify(k)}]`);
  return undefined;
}

function compareContents(x: object, y: object, path: string, push: Push): string | undefined {
  if (Array.isArray(x)) {
    const ay = y as unknown[];
    if (x.length !== ay.length) return `${path}: length ${x.length} became ${ay.length}`;
    for (let i = 0; i < x.length; i++) {
      if (i in x !== i in ay) return `${path}[${i}]: ${i in x ? "a value became a hole" : "a hole became a value"}`;
    }
    return compareKeys(x, y, path, push);
  }
  if (x instanceof Map) {
    const ex = [...x];
    const ey = [...(y as Map<unknown, unknown>)];
    if (ex.length !== ey.length) return `${path}: Map size ${ex.length} became ${ey.length}`;
    ex.forEach(([k, v], i) => {
      push(k, ey[i]![0], `${path}.keys()[${i}]`);
      push(v, ey[i]![1], `${path}.values()[${i}]`);
    });
    return undefined;
  }
  if (x instanceof Set) {
    const mx = [...x];
    const my = [...(y as Set<unknown>)];
    if (mx.length !== my.length) return `${path}: Set size ${mx.length} became ${my.length}`;
    mx.forEach((m, i) => push(m, my[i], `${path}.values()[${i}]`));
    return undefined;
  }
  if (x instanceof Date) {
    return Object.is(x.getTime(), (y as Date).getTime()) ? undefined : `${path}: Date ${x.getTime()} became ${(y as Date).getTime()}`;
  }
  if (x instanceof RegExp) {
    const ry = y as RegExp;
    return x.source === ry.source && x.flags === ry.flags && x.lastIndex === ry.lastIndex ? undefined : `${path}: ${x} (lastIndex ${x.lastIndex}) became ${ry} (lastIndex ${ry.lastIndex})`;
  }
  if (x instanceof ArrayBuffer) {
    const bx = new Uint8Array(x);
    const by = new Uint8Array(y as ArrayBuffer);
    return bx.length === by.length && bx.every((b, i) => b === by[i]) ? undefined : `${path}: ArrayBuffer bytes differ`;
  }
  if (ArrayBuffer.isView(x)) {
    const vy = y as ArrayBufferView;
    if (x.byteOffset !== vy.byteOffset || x.byteLength !== vy.byteLength) return `${path}: view offset/length differ`;
    push(x.buffer, vy.buffer, `${path}.buffer`);
    return undefined;
  }
  if (x instanceof Error) {
    const ey = y as Error;
    for (const key of ["name", "message", "stack"] as const) {
      if (x[key] !== ey[key]) return `${path}.${key}: ${show(x[key])} became ${show(ey[key])}`;
    }
    if (Object.hasOwn(x, "cause") !== Object.hasOwn(ey, "cause")) return `${path}.cause: presence differs`;
    push(x.cause, ey.cause, `${path}.cause`);
    if (x instanceof AggregateError) push(x.errors, (ey as AggregateError).errors, `${path}.errors`);
    return compareKeys(x, y, path, push);
  }
  return compareKeys(x, y, path, push);
}
