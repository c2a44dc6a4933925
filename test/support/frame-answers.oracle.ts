/**
 * What the protocol (docs/protocol.md, sections 4 and 7) says a client frame
 * must be answered with, worked out from the frame alone, as the server will
 * see it: by the test, never by asking the server's own code.
 */

/** The limits the oracle needs (the server's options). */
export interface OracleLimits {
  maxDepth: number;
  maxElements: number;
  maxKeysPerFrame: number;
  maxSubscriptions: number;
  maxTagLength: number;
  /** The declared channel families. */
  families: readonly string[];
}

/** The fixture app's limits with default options. */
export const FIXTURE_LIMITS: OracleLimits = {
  maxDepth: 16,
  maxElements: 1000,
  maxKeysPerFrame: 100,
  maxSubscriptions: 100,
  maxTagLength: 128,
  families: ['widgets', 'rooms'],
};

/** How a frame's answers are told apart, and how many it must get. */
export interface ExpectedAnswers {
  /** The tag (Myxi) or id (Ring) every answer carries; none when they carry neither. */
  marker?: { key: 'tag' | 'id'; value: string | number | null };
  minAnswers: number;
  maxAnswers: number;
  /** For a frame answered with one untagged `Error`: its code. */
  code?: string;
}

const EXCHANGE_MAX = 200;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** How deep arrays and objects nest in a parsed value (the value itself is level 1); iterative, for values 30,000 deep. */
export function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [item, level] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, level);
    for (const child of Object.values(item)) stack.push([child, level + 1]);
  }
  return deepest;
}

/** Arrays and objects in a parsed value, and the items in them (an object's key with its value, an array's value); iterative. */
export function elementsOf(value: unknown): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== 'object' || item === null) continue;
    const children = Object.values(item);
    count += 1 + children.length;
    for (const child of children) stack.push(child);
  }
  return count;
}

function untagged(code: string): ExpectedAnswers {
  return { minAnswers: 1, maxAnswers: 1, code };
}

/** The text the server reads from a text frame: what `ws` sends for a string (lone surrogates become U+FFFD). */
export function asReceived(data: string | Buffer): string {
  return (typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('utf8');
}

/**
 * The answers a frame that the server reads (an open connection under its
 * rate and size limits) must get:
 *
 * - a binary frame: one untagged `BinaryNotSupported`;
 * - text that is not a JSON object: one untagged `InvalidJSON`; one nested
 *   too deep: one untagged `NestingTooDeep`; one of more elements than
 *   `maxElements`: one untagged `TooManyElements` (with both, either);
 * - a Ring request (`id` a string or a finite number): exactly one reply with
 *   its id, or one untagged `InvalidPayload` when the id is too long to echo;
 * - a Myxi action with a tag that cannot be echoed: one untagged
 *   `InvalidPayload`; else its answers carry its tag (none when it has no tag
 *   key): one per key of a `Subscribe` or `Unsubscribe` with up to
 *   `maxKeysPerFrame` keys, one per channel held (at least one, at most
 *   2 × `maxSubscriptions`) for an `Unsubscribe` of a family or of
 *   everything, and exactly one otherwise.
 */
export function expectedAnswers(data: string | Buffer, binary: boolean, limits: OracleLimits = FIXTURE_LIMITS): ExpectedAnswers {
  if (binary) return untagged('BinaryNotSupported');
  let message: unknown;
  try {
    message = JSON.parse(asReceived(data));
  } catch {
    // NOTE: the server counts the depth on the raw text first, so text that
    // is not JSON may get NestingTooDeep instead; either is one untagged Error.
    return { minAnswers: 1, maxAnswers: 1 };
  }
  const tooDeep = depthOf(message) > limits.maxDepth;
  const tooWide = elementsOf(message) > limits.maxElements;
  // NOTE: the server stops at the first limit the text passes: with both passed, either.
  if (tooDeep && tooWide) return { minAnswers: 1, maxAnswers: 1 };
  if (tooDeep) return untagged('NestingTooDeep');
  if (tooWide) return untagged('TooManyElements');
  const record = asRecord(message);
  if (!record) return untagged('InvalidJSON');
  const id = record.id;
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) {
    if (typeof id === 'string' && id.length > limits.maxTagLength) return untagged('InvalidPayload');
    return { marker: { key: 'id', value: id }, minAnswers: 1, maxAnswers: 1 };
  }
  const [minAnswers, maxAnswers] = actionAnswers(record, limits);
  if (!('tag' in record)) return { minAnswers, maxAnswers };
  const tag = record.tag;
  const echoed =
    tag === null ||
    (typeof tag === 'number' && Number.isFinite(tag)) ||
    (typeof tag === 'string' && tag.length <= limits.maxTagLength);
  if (!echoed) return untagged('InvalidPayload');
  return { marker: { key: 'tag', value: tag as string | number | null }, minAnswers, maxAnswers };
}

/** How many answers a Myxi action gets (protocol sections 4.3 and 4.4), as [min, max]. */
function actionAnswers(record: Record<string, unknown>, limits: OracleLimits): [number, number] {
  const action = typeof record.action === 'string' ? record.action : '';
  if (action !== 'Subscribe' && action !== 'Unsubscribe') return [1, 1];
  const body = asRecord(record.payload ?? {}) ?? {};
  const exchange = body.exchange;
  const isExchange = typeof exchange === 'string' && exchange.length > 0 && exchange.length <= EXCHANGE_MAX;
  const perKey = (keys: unknown[]): [number, number] => {
    const count = keys.length === 0 || keys.length > limits.maxKeysPerFrame ? 1 : keys.length;
    return [count, count];
  };
  if (action === 'Subscribe') {
    if (!isExchange || !limits.families.includes(exchange)) return [1, 1];
    return perKey(Array.isArray(body.routing_keys) ? body.routing_keys : [body.routing_key ?? null]);
  }
  if (typeof body.channel === 'string') return [1, 1];
  // Everything the connection holds, or one reply saying it held nothing: up
  // to maxSubscriptions it asked for, and as many again the server gave its
  // digest (protocol section 4.4).
  const everyHeld: [number, number] = [1, 2 * limits.maxSubscriptions];
  if (typeof exchange !== 'string' || exchange.length === 0) return everyHeld;
  if (!isExchange) return [1, 1];
  if (body.routing_key !== undefined && body.routing_key !== null) return [1, 1];
  return Array.isArray(body.routing_keys) ? perKey(body.routing_keys) : everyHeld;
}

/** What a call-route costs beyond its size (protocol section 7). */
export const CALL_ROUTE_EXTRA_UNITS = 9;

/**
 * The most work units a frame may be charged (protocol section 7): one per
 * started KiB; for a `Subscribe` or `Unsubscribe` at most one per key and one
 * per reply after the first; for a call-route, nine more.
 */
export function mostUnits(data: string | Buffer, binary: boolean, limits: OracleLimits = FIXTURE_LIMITS): number {
  const forBytes = byteUnits(typeof data === 'string' ? Buffer.byteLength(data) : data.length);
  if (binary) return forBytes;
  let record: Record<string, unknown> | undefined;
  try {
    record = asRecord(JSON.parse(asReceived(data)));
  } catch {
    return forBytes;
  }
  if (record?.action === 'Subscribe' || record?.action === 'Unsubscribe') return forBytes + limits.maxKeysPerFrame - 1 + 2 * limits.maxSubscriptions - 1;
  return record?.action === 'call-route' ? forBytes + CALL_ROUTE_EXTRA_UNITS : forBytes;
}

/** What the rate charges for a frame's size: one unit per started KiB. */
export function byteUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}
