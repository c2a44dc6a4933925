import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplayBudget } from '../../src/channels/channel-recovery.js';
import { ReplayAllowance } from '../../src/gateway/replay.allowance.js';

describe('ReplayAllowance', () => {
  it('lets a connection catch up on 2,000 pushes at once, then 200 a second', () => {
    const allowance = new ReplayAllowance();
    const start = Date.now();
    assert.equal(allowance.remaining(start), 2000);
    allowance.spend(2000, start);
    assert.equal(allowance.remaining(start), 0, 'spent');
    assert.equal(allowance.remaining(start + 500), 100, 'half a second later');
    assert.equal(allowance.remaining(start + 60_000), 2000, 'never more than 2,000');
  });

  it('bounds one request by what the connection has left, and by 2,000', () => {
    assert.equal(new ReplayBudget(5000).remaining, 2000);
    assert.equal(new ReplayBudget(120).remaining, 120);
    assert.equal(new ReplayBudget().remaining, 2000);
  });
});
