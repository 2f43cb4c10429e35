// Limits that keep decoding untrusted input bounded in time, memory and stack.
// Encoding obeys the default depth too, so whatever pack writes, pack reads back.

export interface DecodeLimits {
  /** Deepest nesting of containers accepted. */
  maxDepth?: number;
  /** Most values (containers, scalars, references) in one input. */
  maxNodes?: number;
  /** Longest input: bytes for decode(), UTF-16 code units for loads(). */
  maxBytes?: number;
}

export const DEFAULT_LIMITS: Required<DecodeLimits> = {
  // What the stack reliably holds even before the code is optimised (frames are larger then).
  maxDepth: 2_000,
  maxNodes: 10_000_000,
  maxBytes: 1 << 30,
};

export function withDefaults(limits: DecodeLimits | undefined): Required<DecodeLimits> {
  if (limits === undefined) return DEFAULT_LIMITS;
  return {
    maxDepth: limits.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    maxNodes: limits.maxNodes ?? DEFAULT_LIMITS.maxNodes,
    maxBytes: limits.maxBytes ?? DEFAULT_LIMITS.maxBytes,
  };
}
