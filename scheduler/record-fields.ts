// Checking a decoded store record's shape, so a wrong file or row is an error that names the field.
export type FieldKind = "string" | "number" | "array" | "object";

/** What is wrong with a decoded record, if anything: a missing field or one of the wrong kind. */
export function checkFields(value: unknown, fields: Record<string, FieldKind>): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `expected a record, found ${Array.isArray(value) ? "an array" : typeof value}`;
  for (const [key, kind] of Object.entries(fields)) {
    const field = (value as Record<string, unknown>)[key];
    const ok = kind === "array" ? Array.isArray(field) : kind === "object" ? typeof field === "object" && field !== null : typeof field === kind;
    if (!ok) return field === undefined ? `the field "${key}" is missing` : `the field "${key}" should be ${kind === "array" || kind === "object" ? `an ${kind}` : `a ${kind}`}`;
  }
  return undefined;
}
