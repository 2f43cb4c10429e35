// pack: values ⇄ a readable text form and a compact binary form, with shared references,
// cycles and registered classes, safe to decode from untrusted input. The format is
// described in pack/README.md; this file is the whole public surface.
import { BinaryReader } from "./binary-reader.ts";
import { BinaryWriter } from "./binary-writer.ts";
import { Copier } from "./copy.ts";
import { PackError } from "./errors.ts";
import { withDefaults, type DecodeLimits } from "./limits.ts";
import { encodeError } from "./paths.ts";
import { TextReader } from "./text-reader.ts";
import { TextWriter, type PackOptions } from "./text-writer.ts";

export { PackError } from "./errors.ts";
export type { PackErrorCode } from "./errors.ts";
export type { DecodeLimits } from "./limits.ts";
export type { PackOptions } from "./text-writer.ts";
export { register, registerValue } from "./registry.ts";
export type { ClassCodec, ValueCodec } from "./registry.ts";

/** The version both forms carry in their header; a reader refuses any other. */
export const FORMAT_VERSION: number = 1;

/** The text form: one compact line, or pretty with `indent` (and `width`, default 80). */
export function dumps(value: unknown, options?: PackOptions): string {
  const writer = new TextWriter(options);
  try {
    return writer.dumps(value, FORMAT_VERSION);
  } catch (error) {
    throw encodeError(value, error, writer.reductions);
  }
}

export function loads(text: string, limits?: DecodeLimits): unknown {
  if (typeof text !== "string") throw new PackError("malformed", `loads() takes a string, not ${typeof text}`);
  return new TextReader(text, withDefaults(limits)).loads(FORMAT_VERSION);
}

/** The binary form. */
export function encode(value: unknown): Uint8Array {
  try {
    return new BinaryWriter().encode(value, FORMAT_VERSION);
  } catch (error) {
    throw encodeError(value, error);
  }
}

export function decode(bytes: Uint8Array, limits?: DecodeLimits): unknown {
  if (!(bytes instanceof Uint8Array)) throw new PackError("malformed", "decode() takes a Uint8Array");
  return new BinaryReader(bytes, withDefaults(limits)).decode(FORMAT_VERSION);
}

/**
 * A deep copy: what decode(encode(value)) gives (a snapshot restored elsewhere), made value
 * to value without the bytes. Encoding's errors apply; decoding's limits do not (the input
 * is a value already in memory, not untrusted bytes).
 */
export function copy<T>(value: T): T {
  try {
    return new Copier().value(value) as T;
  } catch (error) {
    throw encodeError(value, error);
  }
}
