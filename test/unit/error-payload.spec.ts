import { BadRequestException, ForbiddenException, InternalServerErrorException, NotFoundException } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidChannelError, TooManySubscriptionsError } from '../../src/errors/channel.errors.js';
import { statusOfCode, toErrorPayload } from '../../src/handlers/error-payload.mapper.js';
import { RealtimeException } from '../../src/errors/realtime.exception.js';

describe('toErrorPayload', () => {
  it('keeps a RealtimeException code, message and details', () => {
    const mapped = toErrorPayload(new RealtimeException('InvalidSessionToken', 'Expired', { retry: false }));
    assert.deepEqual(mapped.payload, { retry: false, error: 'InvalidSessionToken', message: 'Expired' });
    assert.equal(mapped.internal, false);
  });

  it('reads WsException objects and strings', () => {
    assert.deepEqual(toErrorPayload(new WsException({ error: 'BadToken', message: 'no', hint: 1 })).payload, {
      hint: 1,
      error: 'BadToken',
      message: 'no',
    });
    assert.deepEqual(toErrorPayload(new WsException('plain')).payload, { error: 'WsException', message: 'plain' });
  });

  it('maps HTTP exceptions: guards, validation, others by status name', () => {
    assert.equal(toErrorPayload(new ForbiddenException()).payload.error, 'Forbidden');
    const validation = toErrorPayload(new BadRequestException(['name must be a string']));
    assert.deepEqual(validation.payload, {
      error: 'ValidationFailed',
      message: 'Validation failed',
      errors: ['name must be a string'],
    });
    assert.equal(validation.status, 400);
    assert.deepEqual(toErrorPayload(new NotFoundException('No widget')).payload, { error: 'NotFound', message: 'No widget' });
  });

  it('sends no detail of a 5xx HTTP exception, and answers InternalError with 500', () => {
    const mapped = toErrorPayload(new InternalServerErrorException('db at 10.0.0.5 refused'));
    assert.deepEqual(mapped.payload, { error: 'InternalError', message: 'Internal server error' });
    assert.equal(mapped.status, 500);
    assert.equal(statusOfCode('InternalError'), 500);
  });

  it('names channel errors thrown by ChannelService inside a handler', () => {
    assert.deepEqual(toErrorPayload(new TooManySubscriptionsError('at most 5')).payload, {
      error: 'TooManySubscriptions',
      message: 'at most 5',
    });
    assert.equal(toErrorPayload(new InvalidChannelError('bad')).payload.error, 'InvalidChannel');
  });

  it('never sends the text of an unexpected error', () => {
    const mapped = toErrorPayload(new Error('password=hunter2'));
    assert.deepEqual(mapped.payload, { error: 'InternalError', message: 'Internal server error' });
    assert.equal(mapped.internal, true);
    assert.equal(mapped.status, 500);
  });
});
