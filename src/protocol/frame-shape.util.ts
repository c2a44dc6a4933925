const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const COMMA = 0x2c; // ,
const SPACE = 0x20; // and below: whitespace

/** How far a frame's text may nest and how many structural elements it may hold. */
export interface ShapeLimits {
  /** Deepest nesting of arrays and objects, the frame's own object being level 1. */
  maxDepth: number;
  /**
   * Most elements in all: each array and each object counts one, and so does
   * each item in them (an object's key with its value, an array's value).
   */
  maxElements: number;
}

/** What the scan found: within the limits, or the first limit passed. */
export type FrameShape = 'fits' | 'tooDeep' | 'tooManyElements';

/**
 * Checks the JSON text against `limits` in one pass, with no allocation, and
 * stops at the first limit passed. Outside strings, `[` and `{` open a level
 * and count as an element; each `,` counts the item before it, and a `]` or
 * `}` the last item of a container that holds any.
 *
 * NOTE: `JSON.parse` of a deeply nested or very wide frame costs far more
 * than its size suggests (64 KiB of nested arrays: 30,000 arrays, some 3 ms
 * to parse and as much to encode an echo; 64 KiB of short strings: 16,000 of
 * them, 1.4 ms; 64 KiB of short keys: 5,000 keys that a validation pipe visits
 * one by one, some 30 ms), and every later step that walks the value (echoing
 * a tag, `JSON.stringify` of a reply, a validation pipe) may overflow the
 * stack on depth, or take that long on width. So both are checked on the raw
 * text before anything parses it. Text that is not JSON may be counted
 * loosely; `JSON.parse` refuses it afterwards.
 */
export function frameShape(text: string, limits: ShapeLimits): FrameShape {
  const { maxDepth, maxElements } = limits;
  let depth = 0;
  let elements = 0;
  let inString = false;
  // Whether the innermost open container holds an item yet.
  let filled = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
      filled = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > maxDepth) return 'tooDeep';
      if (++elements > maxElements) return 'tooManyElements';
      filled = false;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
      if (filled && ++elements > maxElements) return 'tooManyElements';
      // The container just closed is an item of the one around it.
      filled = true;
    } else if (code === COMMA) {
      if (++elements > maxElements) return 'tooManyElements';
    } else if (code > SPACE) {
      filled = true;
    }
  }
  return 'fits';
}
