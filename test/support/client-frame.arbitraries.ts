import fc from 'fast-check';
import { expectedAnswers, type OracleLimits } from './frame-answers.oracle.js';
import { ACTIONS, FAMILIES, METHODS, URIS, type HostileFrame } from './hostile-frames.js';

/**
 * fast-check arbitraries for what a hostile client can send: Myxi actions
 * with every kind of tag (or none), Ring `{id, action}` requests, call-route
 * frames with odd uri, method, input and headers, Subscribe and Unsubscribe
 * with odd exchanges, keys and huge arrays, deep nesting in any field, text
 * that is not JSON, binary frames, oversized strings, lone surrogates and
 * prototype-pollution keys.
 *
 * A generated frame is a `FrameShape`: plain data (so fast-check can print
 * and shrink it) in which placeholders stand for the parts made when it is
 * sent: a tag or id of its own, and nesting too deep to build as a value.
 * `render()` turns it into the text sent, and the oracle says what it must
 * be answered with.
 */

/** Stands for a string tag or id no other frame has. */
export const MARK = '@@mark@@';
/** Stands for a numeric tag or id no other frame has. */
const NUMBER_MARK = '@@number@@';
/** Stands for `deep.levels` levels of nesting, written into the text. */
const DEEP = '@@deep@@';

/** A frame as generated: JSON with placeholders, raw text, or bytes. */
export type FrameShape =
  | { kind: 'json'; value: unknown; deep?: { levels: number; style: 'array' | 'object' }; cut?: number }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: number[]; binary: boolean };

/** `levels` levels of arrays (`[[…]]`) or objects (`{"a":{"a":…}}`) around a 1. */
export function nestedText(levels: number, style: 'array' | 'object' = 'array'): string {
  return style === 'array' ? `${'['.repeat(levels)}1${']'.repeat(levels)}` : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

/**
 * The frame as sent, with `marker` (and `number`) in place of its tag or id
 * placeholders, and what it must be answered with.
 */
export function render(shape: FrameShape, marker: string, number: number, limits?: OracleLimits): HostileFrame {
  let data: string | Buffer;
  let binary = false;
  if (shape.kind === 'bytes') {
    data = Buffer.from(shape.bytes);
    binary = shape.binary;
  } else if (shape.kind === 'text') {
    data = shape.text;
  } else {
    const text = JSON.stringify(shape.value)
      .replaceAll(JSON.stringify(MARK), JSON.stringify(marker))
      .replaceAll(JSON.stringify(NUMBER_MARK), String(number))
      .replaceAll(JSON.stringify(DEEP), nestedText(shape.deep?.levels ?? 1, shape.deep?.style));
    data = shape.cut === undefined ? text : text.slice(0, Math.floor(text.length * shape.cut));
  }
  return { data, binary, ...expectedAnswers(data, binary, limits) };
}

/** A tag and a number that no generated value holds, swapped for each copy's own in `renderCopies`. */
const TEMPLATE_MARK = '@@copy@@';
const TEMPLATE_NUMBER = 987_654_321_987;

/**
 * Copies of one frame, each with the tag or id of its own that `markers`
 * gives. NOTE: rendered and judged once, the marker then swapped into the
 * text: a flood repeats a 64 KiB frame hundreds of times.
 */
export function renderCopies(shape: FrameShape, markers: ReadonlyArray<[string, number]>, limits?: OracleLimits): HostileFrame[] {
  const template = render(shape, TEMPLATE_MARK, TEMPLATE_NUMBER, limits);
  if (typeof template.data !== 'string') return markers.map(() => template);
  const text = template.data;
  const value = template.marker?.value;
  return markers.map(([marker, number]) => ({
    ...template,
    data: text.replaceAll(JSON.stringify(TEMPLATE_MARK), JSON.stringify(marker)).replaceAll(String(TEMPLATE_NUMBER), String(number)),
    marker: template.marker && {
      key: template.marker.key,
      value: value === TEMPLATE_MARK ? marker : value === TEMPLATE_NUMBER ? number : (value as string | number | null),
    },
  }));
}

/** Bytes the frame takes on the wire. */
export function wireSize(frame: HostileFrame): number {
  return typeof frame.data === 'string' ? Buffer.byteLength(frame.data) : frame.data.length;
}

// --- values --------------------------------------------------------------

/** Strings a parser or an echo may trip on: control characters, quotes, lone surrogates, emoji. */
const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('', ' ', '\u0000', '\r\n', '"', '\\', '\ud800', '\udfff', '\ud83d\ude00', '\u202e', 'null', '__proto__'),
);

/**
 * Long strings, made by repeating a short one: cheap to generate, up to
 * 20,000 characters (a lone surrogate is sent as 6 bytes, `\ud800`).
 */
const hugeString = fc
  .tuple(fc.constantFrom('x', 'é', '\ud800', '\ud83d\ude00', '\\', '"', '\u0000'), fc.integer({ min: 120, max: 20_000 }))
  .map(([unit, count]) => unit.repeat(Math.ceil(count / unit.length)));

const scalar = fc.oneof(
  { arbitrary: oddString, weight: 4 },
  { arbitrary: fc.constantFrom(null, true, false, 0, -0, 1, -1, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2), weight: 2 },
  { arbitrary: fc.integer(), weight: 2 },
  { arbitrary: fc.double(), weight: 1 },
);

/** Keys that mean something to the server or to JavaScript objects. */
const key = fc.oneof(
  fc.constantFrom(
    '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty',
    'action', 'tag', 'id', 'payload', 'input', 'exchange', 'routing_key', 'routing_keys', 'channel',
    'uri', 'method', 'headers', 'name', 'times', 'value', 'token', 'text', 'socket_connection_id',
  ),
  oddString,
);

/** An object built from entries, so that a `__proto__` key is an own key, as JSON.parse makes it. */
const objectOf = (value: fc.Arbitrary<unknown>, maxLength = 5) =>
  fc.array(fc.tuple(key, value), { maxLength }).map(entries => Object.fromEntries(entries));

/** Any JSON value, a few levels deep. */
const { json } = fc.letrec<{ json: unknown; array: unknown[]; object: Record<string, unknown> }>(tie => ({
  json: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('json'), { maxLength: 5 }),
  object: objectOf(tie('json')),
}));

/** A value, or any JSON, or a huge string, or the placeholder for nesting too deep (or just deep enough) to build. */
const field = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof(
    { arbitrary, weight: 12 },
    { arbitrary: json, weight: 3 },
    { arbitrary: fc.constant(DEEP), weight: 1 },
    { arbitrary: hugeString, weight: 1 },
  );

// --- frames --------------------------------------------------------------

/** A tag: a placeholder for one of its own, or any other value, or none. */
const tag = fc.oneof(
  { arbitrary: fc.constant(MARK), weight: 10 },
  { arbitrary: fc.constant(NUMBER_MARK), weight: 2 },
  { arbitrary: fc.constant(undefined), weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: field(json), weight: 2 },
);

/** A Ring id: one of its own mostly, else anything. */
const ringId = fc.oneof(
  { arbitrary: fc.constant(MARK), weight: 8 },
  { arbitrary: fc.constant(NUMBER_MARK), weight: 2 },
  { arbitrary: field(scalar), weight: 2 },
);

const action = fc.oneof(
  { arbitrary: fc.constantFrom('Subscribe', 'Unsubscribe'), weight: 8 },
  { arbitrary: fc.constantFrom(...ACTIONS), weight: 12 },
  { arbitrary: field(oddString), weight: 1 },
);

/** Routing keys: a few odd ones, about `maxKeysPerFrame`, or tens of thousands (a frame's worth). */
const routingKeys = fc.oneof(
  { arbitrary: fc.array(field(fc.oneof(fc.constantFrom('1', '2', 1234, 'k1', 'secret'), scalar)), { maxLength: 12 }), weight: 6 },
  { arbitrary: fc.integer({ min: 95, max: 105 }).map(count => Array.from({ length: count }, (_, n) => `k${n}`)), weight: 2 },
  { arbitrary: fc.integer({ min: 101, max: 32_000 }).map(count => Array<number>(count).fill(1)), weight: 1 },
);

const subscription = fc.record(
  {
    exchange: field(fc.oneof(fc.constantFrom(...FAMILIES), oddString, hugeString)),
    routing_key: field(fc.oneof(fc.constantFrom('1', 1234, 'secret', 'k1'), scalar)),
    routing_keys: routingKeys,
    channel: field(fc.oneof(fc.constantFrom('chat:lobby', 'rooms:k1', 'widgets:1', 'x'), oddString, hugeString)),
  },
  { requiredKeys: [] },
);

const payloadFor = (name: unknown): fc.Arbitrary<unknown> =>
  name === 'Subscribe' || name === 'Unsubscribe'
    ? fc.oneof({ arbitrary: subscription, weight: 6 }, { arbitrary: field(json), weight: 1 })
    : fc.oneof(
        fc.record({ name: field(oddString), times: field(fc.integer({ min: -2, max: 12 })), value: field(json), token: field(oddString), text: field(oddString) }, { requiredKeys: [] }),
        field(json),
      );

/** Extra top-level keys, prototype-pollution ones among them. */
const extra = fc.array(fc.tuple(key, json), { maxLength: 3 });

/** Builds the frame object: extra keys first, so the frame's own keys win. */
function frameObject(entries: Array<[string, unknown]>, more: Array<[string, unknown]>): Record<string, unknown> {
  return Object.fromEntries([...more, ...entries.filter(([, value]) => value !== undefined)]);
}

const myxi = action.chain(name =>
  fc.record({ tag, payload: fc.option(payloadFor(name), { nil: undefined }), more: extra }).map(({ tag: value, payload, more }) =>
    frameObject([['action', name], ['tag', value], ['payload', payload]], more),
  ),
);

const headers = fc.oneof(
  objectOf(fc.oneof(oddString, hugeString, json), 4),
  fc.record({ authorization: fc.oneof(fc.constant('Bearer x'), oddString, hugeString, json) }),
  fc.integer({ min: 15, max: 40 }).map(count => Object.fromEntries(Array.from({ length: count }, (_, n) => [n % 2 ? 'authorization' : `x-h${n}`, 'v']))),
  json,
);

const ring = fc
  .record(
    {
      id: ringId,
      action: fc.oneof({ arbitrary: fc.constant('call-route'), weight: 4 }, { arbitrary: fc.constant('ping'), weight: 1 }, { arbitrary: action, weight: 3 }),
      uri: field(fc.oneof(fc.constantFrom(...URIS), oddString.map(text => `/nowhere/${text}`), oddString.map(text => `/routes/greet/${text}`), hugeString.map(text => `/routes/query?q=${text}`), oddString)),
      method: field(fc.oneof(fc.constantFrom(...METHODS, 'put', 'patch', 'CONNECT', 'OPTIONS'), oddString)),
      input: field(fc.oneof(objectOf(json), fc.record({ q: field(json), socket_connection_id: oddString }), json)),
      headers,
      payload: field(json),
    },
    { requiredKeys: ['id', 'action'] },
  )
  .chain(frame => extra.map(more => frameObject(Object.entries(frame), more)));

/** Text that is not a JSON object: any string, JSON of another type, a frame cut short. */
const notJson = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', 'null', '[1]', '"x"', '1', 'true', '{', '{"action":', '\u0000', '\ufeff{"action":"Ping"}', '{"action":"Ping",}', '{"tag":1e400,"action":"Ping"}'),
);

/** One deep-nesting placeholder's size: around the limit, or far past it (up to what fits in 64 KiB). */
const deep = fc.oneof(
  fc.record({ levels: fc.integer({ min: 1, max: 20 }), style: fc.constantFrom('array' as const, 'object' as const) }),
  fc.record({ levels: fc.integer({ min: 17, max: 30_000 }), style: fc.constant('array' as const) }),
  fc.record({ levels: fc.integer({ min: 17, max: 10_000 }), style: fc.constant('object' as const) }),
);

/** Any frame a hostile client may send (some of them over 64 KiB: see `wireSize`). */
export const hostileFrame: fc.Arbitrary<FrameShape> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('json' as const), value: myxi, deep }), weight: 10 },
  { arbitrary: fc.record({ kind: fc.constant('json' as const), value: ring, deep }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('json' as const), value: fc.oneof(myxi, ring), deep, cut: fc.double({ min: 0, max: 0.999, noNaN: true }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('text' as const), text: notJson }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('json' as const), value: json }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.array(fc.nat(255), { maxLength: 64 }), binary: fc.constant(true) }), weight: 1 },
);
