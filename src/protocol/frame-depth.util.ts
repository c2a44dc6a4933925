const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]

/**
 * Whether the JSON text nests arrays and objects deeper than `maxDepth`
 * (the frame's own object is level 1). One pass over the text, counting `[`
 * and `{` outside strings, with no allocation; it stops at the first level
 * too deep.
 *
 * NOTE: `JSON.parse` of a deeply nested frame costs far more than its size
 * suggests, and every later step that walks the value (echoing a tag,
 * `JSON.stringify` of a reply, a validation pipe) may overflow the stack, so
 * the depth is checked on the raw text before anything parses it. Text that
 * is not JSON may be counted loosely; `JSON.parse` refuses it afterwards.
 */
export function exceedsDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === BACKSLASH) index++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
