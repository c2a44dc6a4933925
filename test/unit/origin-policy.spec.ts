import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOriginAllowed, requestScheme } from '../../src/gateway/origin.policy.js';

describe('isOriginAllowed', () => {
  it('allows clients that send no Origin (not browsers)', () => {
    assert.equal(isOriginAllowed(undefined, 'a.example', ['https://b.example'], 'http'), true);
  });

  it('defaults to same origin', () => {
    assert.equal(isOriginAllowed('http://localhost:3000', 'localhost:3000', 'same-origin', 'http'), true);
    assert.equal(isOriginAllowed('http://evil.example', 'localhost:3000', 'same-origin', 'http'), false);
    assert.equal(isOriginAllowed('null', 'localhost:3000', 'same-origin', 'http'), false);
  });

  it('matches a list exactly, ignoring a trailing slash', () => {
    const allowed = ['https://app.example'];
    assert.equal(isOriginAllowed('https://app.example', 'x', allowed, 'http'), true);
    assert.equal(isOriginAllowed('https://app.example/', 'x', allowed, 'http'), true);
    assert.equal(isOriginAllowed('https://app.example.evil.com', 'x', allowed, 'http'), false);
    assert.equal(isOriginAllowed('http://app.example', 'x', allowed, 'http'), false);
  });

  it("lets '*' allow anything", () => {
    assert.equal(isOriginAllowed('https://anything.example', 'x', '*', 'http'), true);
  });

  it('compares the scheme of a same-origin request', () => {
    assert.equal(isOriginAllowed('https://app.example:3000', 'app.example:3000', 'same-origin', 'http'), false);
    assert.equal(isOriginAllowed('http://app.example', 'app.example', 'same-origin', 'https'), false);
    assert.equal(isOriginAllowed('https://app.example', 'app.example', 'same-origin', 'https'), true);
  });

  it('takes the scheme from TLS or from X-Forwarded-Proto', () => {
    assert.equal(requestScheme(true, undefined), 'https');
    assert.equal(requestScheme(false, 'https'), 'https');
    assert.equal(requestScheme(false, 'HTTPS, http'), 'https');
    assert.equal(requestScheme(false, undefined), 'http');
    assert.equal(requestScheme(false, 'ftp'), 'http');
  });
});
