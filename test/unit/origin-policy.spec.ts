import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOriginAllowed } from '../../src/gateway/origin.policy.js';

describe('isOriginAllowed', () => {
  it('allows clients that send no Origin (not browsers)', () => {
    assert.equal(isOriginAllowed(undefined, 'a.example', ['https://b.example']), true);
  });

  it('defaults to same origin', () => {
    assert.equal(isOriginAllowed('http://localhost:3000', 'localhost:3000', 'same-origin'), true);
    assert.equal(isOriginAllowed('http://evil.example', 'localhost:3000', 'same-origin'), false);
    assert.equal(isOriginAllowed('null', 'localhost:3000', 'same-origin'), false);
  });

  it('matches a list exactly, ignoring a trailing slash', () => {
    const allowed = ['https://app.example'];
    assert.equal(isOriginAllowed('https://app.example', 'x', allowed), true);
    assert.equal(isOriginAllowed('https://app.example/', 'x', allowed), true);
    assert.equal(isOriginAllowed('https://app.example.evil.com', 'x', allowed), false);
    assert.equal(isOriginAllowed('http://app.example', 'x', allowed), false);
  });

  it("lets '*' allow anything", () => {
    assert.equal(isOriginAllowed('https://anything.example', 'x', '*'), true);
  });
});
