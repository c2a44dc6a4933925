import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { AddressAdmission } from '../../src/gateway/address-admission.js';
import { AddressRates } from '../../src/gateway/address-rates.js';
import { ClientAddressResolver, type TrustProxy } from '../../src/gateway/client-address.resolver.js';

function request(peer: string, forwardedFor?: string): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} } as unknown as IncomingMessage;
}

const resolve = (trust: TrustProxy, peer: string, forwardedFor?: string) =>
  new ClientAddressResolver(trust).resolve(request(peer, forwardedFor));

describe('ClientAddressResolver', () => {
  it('believes no X-Forwarded-For by default', () => {
    assert.equal(resolve(false, '198.51.100.9', '203.0.113.7'), '198.51.100.9');
    assert.equal(resolve(false, '::ffff:127.0.0.1'), '127.0.0.1', 'an IPv4-mapped peer is its IPv4 address');
  });

  it('with true, takes the leftmost address', () => {
    assert.equal(resolve(true, '10.0.0.2', '203.0.113.7, 10.0.0.1'), '203.0.113.7');
    assert.equal(resolve(true, '10.0.0.2'), '10.0.0.2');
  });

  it('with a number, believes that many hops', () => {
    assert.equal(resolve(1, '10.0.0.2', '6.6.6.6, 203.0.113.7'), '203.0.113.7', 'a client-written entry further left is ignored');
    assert.equal(resolve(2, '10.0.0.2', '6.6.6.6, 203.0.113.7, 10.0.0.1'), '203.0.113.7');
  });

  it('with a list, believes only those proxies, from the nearest hop out', () => {
    const trust = ['loopback', '10.0.0.0/8'];
    assert.equal(resolve(trust, '127.0.0.1', '6.6.6.6, 203.0.113.7, 10.1.2.3'), '203.0.113.7');
    assert.equal(resolve(trust, '198.51.100.9', '203.0.113.7'), '198.51.100.9', 'an untrusted peer is the client');
    assert.equal(resolve(trust, '::1', 'not-an-ip, 203.0.113.7'), '203.0.113.7');
    assert.throws(() => new ClientAddressResolver(['10.0.0.0/40']), /bad prefix length/);
  });
});

describe('AddressAdmission', () => {
  it('admits up to the cap per address and counts each release once', () => {
    const admission = new AddressAdmission(2);
    const first = admission.admit('a')!;
    assert.ok(admission.admit('a'));
    assert.equal(admission.admit('a'), undefined);
    assert.ok(admission.admit('b'), 'other addresses have their own share');
    first();
    first();
    assert.equal(admission.countOf('a'), 1);
    assert.ok(admission.admit('a'));
    assert.ok(new AddressAdmission(0).admit('a'), '0 is no cap');
  });
});

describe('AddressRates', () => {
  it('gives every connection of an address the same bucket, until it has refilled', () => {
    const rates = new AddressRates({ burst: 10, perSecond: 10 });
    const start = Date.now();
    const bucket = rates.bucketFor('a', start)!;
    assert.equal(rates.bucketFor('a', start), bucket);
    assert.notEqual(rates.bucketFor('b', start), bucket);
    assert.ok(bucket.take(10, start));
    assert.equal(rates.bucketFor('a', start + 500)!.has(6, start + 500), false, 'half refilled after 0.5 s');
    // Long after, swept: a full bucket remembers nothing, so it is dropped.
    assert.notEqual(rates.bucketFor('a', start + 60_000), bucket);
    assert.equal(rates.size, 1, "b's full bucket was swept too");
  });

  it('is off with false, and for unknown addresses', () => {
    assert.equal(new AddressRates(false).bucketFor('a'), undefined);
    assert.equal(new AddressRates({ burst: 1, perSecond: 1 }).bucketFor(undefined), undefined);
  });
});
