import assert from 'node:assert/strict';
import type { Frame, TestClient } from './ws-client.js';
import { elementsOf, FIXTURE_LIMITS } from './frame-answers.oracle.js';

/** One frame a hostile client sends, and how many answers it must get. */
export interface HostileFrame {
  data: string | Buffer;
  binary: boolean;
  /** The tag (Myxi style) or id (Ring style) its answers carry; none when they carry neither. */
  marker?: { key: 'tag' | 'id'; value: string | number | null };
  /** Answers it must get (with no marker: answers with no tag or id). */
  minAnswers: number;
  maxAnswers: number;
  /** For a frame answered with one untagged `Error`: its code, when known. */
  code?: string;
}

/** A small seeded PRNG (mulberry32), so that a failing run can be repeated from its seed. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Actions of the fixture app and built-ins (none that fails on purpose, as `Boom` does), and two that do not exist. */
export const ACTIONS = ['Subscribe', 'Unsubscribe', 'ListSubscriptions', 'Ping', 'ping', 'call-route', 'SayHello', 'Authenticate', 'WhoAmI', 'Guarded', 'Wrapped', 'Stream', 'Later', 'Pick', 'Domain', 'JoinLobby', 'SayInLobby', 'Nope', ''];
/** call-route targets: routes of the fixture app, and paths that are not this app's. */
export const URIS = ['/routes/query', '/routes/greet/x', '/routes/echo', '/routes/items/abc', '/routes/private', '/routes/old', '/routes/invalid', '/nowhere', '//evil.example/', 'http://evil.example/', ''];
/** call-route methods, allowed and not. */
export const METHODS = ['get', 'GET', 'post', 'HEAD', 'DELETE', 'TRACE', null, 5];
/** Exchanges: the fixture's two families, one not declared, and an empty name. */
export const FAMILIES = ['widgets', 'rooms', 'nope', ''];

/** Hostile frames, each with the answers it must get. Tags and ids are unique per `prefix`. */
export function hostileFrames(random: () => number, count: number, prefix: string): HostileFrame[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const int = (max: number) => Math.floor(random() * max);
  const text = (max: number) => Array.from({ length: int(max) }, () => String.fromCharCode(32 + int(95))).join('');

  /** A random JSON value at most `depth` deep. */
  const value = (depth: number): unknown => {
    switch (int(depth > 0 ? 8 : 5)) {
      case 0: return null;
      case 1: return random() < 0.5;
      case 2: return random() < 0.2 ? 1e308 * (random() < 0.5 ? 1 : -1) : int(1e9) - 5e8;
      case 3: return text(random() < 0.1 ? 3000 : 20);
      case 4: return '';
      case 5:
      case 6: return Array.from({ length: int(6) }, () => value(depth - 1));
      default: return Object.fromEntries(Array.from({ length: int(6) }, () => [pick(['a', 'exchange', 'routing_key', 'routing_keys', 'channel', 'value', '__proto__', text(8)]), value(depth - 1)]));
    }
  };
  const keys = () => Array.from({ length: random() < 0.1 ? 100 + int(60) : int(12) }, () => (random() < 0.8 ? `k${int(300)}` : value(2)));
  const payloadFor = (action: string): unknown => {
    if (action !== 'Subscribe' && action !== 'Unsubscribe') return random() < 0.3 ? value(4) : { name: text(10), times: int(12), value: value(3) };
    const body: Record<string, unknown> = {};
    if (random() < 0.9) body.exchange = random() < 0.05 ? text(400) : pick(FAMILIES);
    if (random() < 0.5) body.routing_keys = keys();
    else if (random() < 0.7) body.routing_key = random() < 0.8 ? `k${int(300)}` : value(2);
    if (action === 'Unsubscribe' && random() < 0.2) body.channel = random() < 0.5 ? pick(['chat:lobby', 'rooms:k1', 'x']) : value(1);
    return random() < 0.05 ? value(3) : body;
  };
  const deep = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
  /** A frame of more elements than `maxElements` (rare: 160 keys of nested values) is refused unparsed. */
  const wide = (frame: object): HostileFrame | undefined =>
    elementsOf(frame) > FIXTURE_LIMITS.maxElements
      ? { data: JSON.stringify(frame), binary: false, minAnswers: 1, maxAnswers: 1, code: 'TooManyElements' }
      : undefined;

  const frames: HostileFrame[] = [];
  for (let n = 0; n < count; n++) {
    const marker = `${prefix}${n}`;
    const roll = random();
    if (roll < 0.08) {
      // Never starts with `{`, so never a JSON object: InvalidJSON (or NestingTooDeep).
      frames.push({ data: `x${text(200)}`, binary: false, minAnswers: 1, maxAnswers: 1 });
    } else if (roll < 0.12) {
      const whole = JSON.stringify({ action: 'Ping', tag: marker, payload: value(3) });
      frames.push({ data: whole.slice(0, whole.length - 1 - int(whole.length - 1)), binary: false, minAnswers: 1, maxAnswers: 1 });
    } else if (roll < 0.18) {
      const where = pick(['tag', 'payload', 'routing_key']);
      const levels = 17 + int(random() < 0.2 ? 20_000 : 40);
      const data = where === 'routing_key'
        ? `{"action":"Subscribe","tag":"${marker}","payload":{"exchange":"widgets","routing_key":${deep(levels - 2)}}}`
        : where === 'tag'
          ? `{"action":"Ping","tag":${deep(levels - 1)}}`
          : `{"action":"Ping","tag":"${marker}","payload":${deep(levels - 1)}}`;
      frames.push({ data, binary: false, minAnswers: 1, maxAnswers: 1 });
    } else if (roll < 0.23) {
      const tag = pick([{ a: 1 }, [marker], true, false, 'T'.repeat(129 + int(3000))]);
      frames.push({ data: JSON.stringify({ action: pick(ACTIONS), tag, payload: value(3) }), binary: false, minAnswers: 1, maxAnswers: 1 });
    } else if (roll < 0.26) {
      frames.push({ data: Buffer.from(text(50)), binary: true, minAnswers: 1, maxAnswers: 1 });
    } else if (roll < 0.4) {
      const action = random() < 0.6 ? 'call-route' : pick(ACTIONS);
      const frame: Record<string, unknown> = { id: marker, action };
      if (action === 'call-route') {
        frame.uri = random() < 0.1 ? value(2) : pick(URIS) + (random() < 0.2 ? `?${text(30)}` : '');
        if (random() < 0.6) frame.method = pick(METHODS);
        if (random() < 0.7) frame.input = random() < 0.8 ? { q: value(3), socket_connection_id: 'x' } : value(2);
      } else if (random() < 0.6) {
        frame[pick(['payload', 'input'])] = payloadFor(action);
      }
      frames.push(wide(frame) ?? { data: JSON.stringify(frame), binary: false, marker: { key: 'id', value: marker }, minAnswers: 1, maxAnswers: 1 });
    } else {
      const action = random() < 0.45 ? pick(['Subscribe', 'Unsubscribe']) : pick(ACTIONS);
      const payload = payloadFor(action);
      const body = (typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload : {}) as Record<string, unknown>;
      const listed = Array.isArray(body.routing_keys) ? body.routing_keys.length : 1;
      // A Subscribe answers once per key (or once for the whole frame); an
      // Unsubscribe at most once per channel held: maxSubscriptions the client
      // asked for, and as many the server gave its digest.
      const maxAnswers = action === 'Unsubscribe' ? Math.max(2 * FIXTURE_LIMITS.maxSubscriptions, listed) : action === 'Subscribe' ? Math.max(1, listed) : 1;
      const frame = { action, tag: marker, payload };
      frames.push(wide(frame) ?? { data: JSON.stringify(frame), binary: false, marker: { key: 'tag', value: marker }, minAnswers: 1, maxAnswers });
    }
  }
  return frames;
}

/** Where an answer belongs: its tag, its Ring id, or neither (`untagged`). */
export function groupOf(answer: Frame): string {
  if ('id' in answer && 'status' in answer) return `id:${JSON.stringify(answer.id)}`;
  if ('tag' in answer) return `tag:${JSON.stringify(answer.tag)}`;
  return 'untagged';
}

/** Where a frame's answers belong (see `groupOf`). */
export function groupOfFrame(frame: HostileFrame): string {
  return frame.marker ? `${frame.marker.key}:${JSON.stringify(frame.marker.value)}` : 'untagged';
}

let barriers = 0;

/**
 * Sends the frames on one connection, then a Ping, and checks that each
 * frame got the answers it must get (`assertAnswers`) and that the
 * connection stays open.
 */
export async function sendAndCount(client: TestClient, frames: HostileFrame[]): Promise<void> {
  const start = client.frames.length;
  const barrier = `barrier ${++barriers}`;
  for (const frame of frames) client.socket.send(frame.data, { binary: frame.binary });
  const done = client.next(frame => frame.tag === barrier, 60_000);
  client.send({ action: 'Ping', tag: barrier });
  try {
    await done;
  } catch {
    const got = client.frames.slice(start);
    const last = frames.findLastIndex(frame => frame.marker && got.some(answer => groupOf(answer) === groupOfFrame(frame)));
    const closed = client.socket.readyState === client.socket.OPEN ? 'open' : `closed (${await client.closed.then(close => close.code)})`;
    throw new Error(
      `No answer to the barrier; the connection is ${closed}. Last frame answered: #${last}; the frames after it:\n` +
        frames.slice(last + 1, last + 4).map(frame => describeFrame(frame)).join('\n'),
    );
  }
  assertAnswers(frames, client.frames.slice(start).filter(answer => answer.tag !== barrier));
  assert.equal(client.socket.readyState, client.socket.OPEN, 'the connection stays open');
}

/**
 * Checks the answers a connection got to `frames` (pushes among them are left
 * out): a frame whose tag or id no other frame shares got between its
 * `minAnswers` and `maxAnswers` answers, frames that share one (or that have
 * none, answered untagged) got as many together, the untagged `Error`s carry
 * the codes expected, and answers came in the order the frames were sent.
 */
export function assertAnswers(frames: HostileFrame[], received: Frame[]): void {
  const got = received.filter(answer => !('channel' in answer));
  const expected = new Map<string, { min: number; max: number; frames: HostileFrame[] }>();
  for (const frame of frames) {
    const group = expected.get(groupOfFrame(frame)) ?? { min: 0, max: 0, frames: [] };
    group.min += frame.minAnswers;
    group.max += frame.maxAnswers;
    group.frames.push(frame);
    expected.set(groupOfFrame(frame), group);
  }
  const answers = new Map<string, Frame[]>();
  for (const answer of got) {
    const group = answers.get(groupOf(answer)) ?? [];
    group.push(answer);
    answers.set(groupOf(answer), group);
  }
  for (const [group, { min, max, frames: sharing }] of expected) {
    const count = answers.get(group)?.length ?? 0;
    assert.ok(
      count >= min && count <= max,
      `${count} answers (${min}..${max}) ${group === 'untagged' ? 'with no tag or id' : `for ${group}`} to ${sharing.length} frame(s): ` +
        `${sharing.slice(0, 3).map(describeFrame).join(' | ')}; got ${JSON.stringify(answers.get(group) ?? []).slice(0, 600)}`,
    );
  }
  for (const group of answers.keys()) assert.ok(expected.has(group), `answers nobody asked for: ${JSON.stringify(answers.get(group)).slice(0, 600)}`);
  const codes = (answers.get('untagged') ?? []).map(answer => (answer.event === 'Error' ? answer.payload?.error : answer.event));
  for (const code of new Set(frames.filter(frame => !frame.marker && frame.code).map(frame => frame.code!))) {
    const wanted = frames.filter(frame => !frame.marker && frame.code === code).length;
    assert.ok(codes.filter(each => each === code).length >= wanted, `${wanted} untagged ${code} expected; got ${JSON.stringify(codes)}`);
  }
  // Answers come in request order: the first answer of each frame whose tag or id is its own.
  const firsts = frames
    .filter(frame => frame.marker && expected.get(groupOfFrame(frame))!.frames.length === 1)
    .map(frame => got.findIndex(answer => groupOf(answer) === groupOfFrame(frame)));
  firsts.forEach((index, n) => assert.ok(n === 0 || index > firsts[n - 1]!, 'answers come in the order the frames were sent'));
}

/** A frame as an assertion message quotes it: its first 300 characters. */
export function describeFrame(frame: HostileFrame): string {
  const text = frame.binary ? `<binary ${frame.data.length} bytes>` : String(frame.data);
  return text.length > 300 ? `${text.slice(0, 300)}… (${Buffer.byteLength(text)} bytes)` : text;
}
