// Named references and environments (the seed's NamedReference and Environment): a value that
// travels by name — a module, or one of its exports — and the declared set of names a task
// defined on the fly may reach, which is what gets shipped with its source.

/** A module, or an export of one, that travels by name and is imported where it is used. */
export class NamedReference<T = unknown> {
  readonly module: string;
  readonly export: string | undefined;
  constructor(module: string, exportName?: string) {
    if (typeof module !== "string" || module === "") throw new TypeError("a NamedReference needs a module specifier");
    this.module = module;
    this.export = exportName;
  }

  /** Imports the module (from the current process's point of view) and returns it or its export. */
  async resolve(): Promise<T> {
    const loaded = (await import(this.module)) as Record<string, unknown>;
    if (this.export === undefined) return loaded as T;
    if (!(this.export in loaded)) throw new TypeError(`${this.module} has no export named ${this.export}`);
    return loaded[this.export] as T;
  }

  toString(): string {
    return this.export === undefined ? this.module : `${this.module}#${this.export}`;
  }
}

/**
 * The names a task defined on the fly may use besides its arguments: named references
 * (imported where the task runs) and plain packable values. A task made with
 * `environment.task(fn)` carries its source and this environment, and is rebuilt from them
 * in a worker with exactly these names in scope, nothing else.
 */
export type EnvironmentValues = Readonly<Record<string, unknown>>;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function checkEnvironment(values: EnvironmentValues): void {
  for (const name of Object.keys(values)) {
    if (!IDENTIFIER.test(name)) throw new TypeError(`environment name ${JSON.stringify(name)} is not an identifier`);
  }
}

/** Resolves the environment's named references, in this process. */
export async function resolveEnvironment(values: EnvironmentValues): Promise<Record<string, unknown>> {
  const resolved: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) resolved[name] = value instanceof NamedReference ? await value.resolve() : value;
  return resolved;
}
