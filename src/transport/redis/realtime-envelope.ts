/**
 * The message on a Redis topic. One text header line, then the body bytes:
 *
 *   RT1 \t <epoch> \t <offset> \t <origin> \t <kind> [\t <push id>] \n <body>
 *
 * `RT1` is the envelope version: a rolling deploy can add `RT2` and keep
 * reading `RT1`. The body is the already encoded frame (kinds `p` and `f`),
 * a JSON list of channels (kinds `s` and `u`), or a JSON control message (kind
 * `x`), so a push is encoded once, on the instance that made it. The push id
 * (`k:<digest>` for a caller's id, `g:<random>` otherwise) came later; readers
 * that predate it ignore it.
 */
export const ENVELOPE_VERSION = 'RT1';

/** What the message carries. */
export type EnvelopeKind = 'p' | 'f' | 's' | 'u' | 'x';

export interface Envelope {
  epoch: string;
  offset: number;
  /** The instance that published it. */
  origin: string;
  kind: EnvelopeKind;
  /** The push id, when the sender wrote one. */
  id: string | undefined;
  body: Buffer;
}

const NEWLINE = 0x0a;
const KINDS = new Set(['p', 'f', 's', 'u', 'x']);

/** Reads an envelope; `undefined` for anything malformed or of another version. */
export function decodeEnvelope(message: Buffer): Envelope | undefined {
  const end = message.indexOf(NEWLINE);
  if (end < 0 || end > 512) return undefined;
  const [version, epoch, offset, origin, kind, id] = message.subarray(0, end).toString('latin1').split('\t');
  if (version !== ENVELOPE_VERSION || !epoch || !origin || !kind || !KINDS.has(kind)) return undefined;
  const position = Number(offset);
  if (!Number.isSafeInteger(position) || position < 1) return undefined;
  return { epoch, offset: position, origin, kind: kind as EnvelopeKind, id: id || undefined, body: message.subarray(end + 1) };
}
