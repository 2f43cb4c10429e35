// Byte tags of the binary form that are not codec-table entries (those sit in 0xc0–0xdf,
// in codecs.ts). The full tag map, with what follows each tag, is in pack/README.md.

export const MAGIC = 0x70; // "p": first byte of every binary encoding, then the version byte

export const FIXINT_MAX = 0x7f; // 0x00–0x7f: the integers 0–127
export const FIXSTR = 0x80; // 0x80–0x9f: a UTF-8 string of 0–31 bytes, length in the low bits
export const FIXSTR_MAX_BYTES = 31;
export const UNDEFINED = 0xa0;
export const NULL = 0xa1;
export const FALSE = 0xa2;
export const TRUE = 0xa3;
export const HOLE = 0xa4; // one missing array slot
export const HOLES = 0xa5; // varint n: n missing array slots
export const NEG_ZERO = 0xa6;
export const NAN = 0xa7;
export const INFINITY = 0xa8;
export const NEG_INFINITY = 0xa9;
export const UINT = 0xaa; // varint n: the integer n (< 2^31)
export const NINT = 0xab; // varint n: the integer -n - 1 (> -2^31)
export const FLOAT64 = 0xac; // 8 bytes little-endian
export const NUMBERS = 0xad; // an array of numbers only: element type, varint length, the elements in one block
export const STRING = 0xae; // varint length, UTF-8 bytes
export const STRING16 = 0xaf; // varint count, UTF-16 code units little-endian (strings with lone surrogates)
export const ARRAY = 0xb0; // varint length, then items (holes as HOLE/HOLES) filling that length
export const OBJECT = 0xb1; // varint count, then count × (key, value)
export const REF = 0xb2; // varint id: the id-th object met so far (ids count from 0 in order of first appearance)
export const BIGINT = 0xb3; // varint length, ASCII decimal digits with an optional leading "-"
export const EXTENSION = 0xbf; // reserved: a varint codec tag ≥ 0x100 follows
export const NEGFIXINT = 0xe0; // 0xe0–0xff: the integers -32 to -1

// Element types of a NUMBERS block: the byte width of one element, little-endian.
export const INT8_ITEMS = 1;
export const INT16_ITEMS = 2;
export const INT32_ITEMS = 4;
export const FLOAT64_ITEMS = 8;
/** Arrays shorter than this are written item by item: a block saves nothing on a few items. */
export const NUMBERS_MIN_LENGTH = 8;

// In key position (object keys, props keys, registered names) a byte means:
export const KEY_REF_MAX = 0xef; // 0x00–0xef: the n-th key met so far
export const KEY_REF = 0xf0; // varint n: the n-th key met so far
export const KEY_NEW = 0xf1; // a new key: a string in value encoding (FIXSTR / STRING / STRING16) follows
