import {
  Catch,
  Controller,
  Get,
  HttpException,
  HttpStatus,
  Injectable,
  Module,
  NotFoundException,
  UnauthorizedException,
  UseFilters,
  UseGuards,
  UsePipes,
  ValidationPipe,
  type ArgumentsHost,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import { MessageBody, WsException } from '@nestjs/websockets';
import { IsString } from 'class-validator';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isRealtimeContext, OnRealtimeConnect, RealtimeHandler, RealtimeModule } from 'nestjs-realtime';
import { CaptureLogger } from '../support/capture-logger.js';
import { startApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';

/** The catch-everything filter from Nest's documentation, registered as APP_FILTER. */
@Catch()
class CatchEverythingFilter implements ExceptionFilter {
  constructor(private readonly httpAdapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.httpAdapterHost;
    const ctx = host.switchToHttp();
    const status = exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    httpAdapter.reply(ctx.getResponse(), { statusCode: status, path: httpAdapter.getRequestUrl(ctx.getRequest()), caught: 'globally' }, status);
  }
}

/** A global API-key guard with the documented realtime exemption. */
@Injectable()
class ApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    // Sockets and their handlers authenticate with the socket's identity
    // (a connect hook, an Authenticate action), not with a header.
    if (isRealtimeContext(context)) return true;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    return request.headers['x-api-key'] === 'let-me-in';
  }
}

/** A filter that itself fails, as a buggy filter would. */
@Catch()
class BrokenFilter implements ExceptionFilter {
  catch(): never {
    throw new TypeError('response.status is not a function');
  }
}

/** A filter that maps a domain error to a WsException on purpose. */
@Catch(RangeError)
class RangeToWsFilter implements ExceptionFilter {
  catch(error: RangeError): never {
    throw new WsException({ error: 'OutOfRange', message: error.message });
  }
}

/** A guard that refuses with a WsException, as many gateway guards do. */
@Injectable()
class WsRefusingGuard implements CanActivate {
  canActivate(): boolean {
    throw new WsException({ error: 'NotAllowed', message: 'Not for you' });
  }
}

class NameDto {
  @IsString()
  name!: string;
}

@Injectable()
class Handlers {
  connects = 0;

  @OnRealtimeConnect()
  connected(): void {
    this.connects += 1;
  }

  @RealtimeHandler('Unauthorized')
  unauthorized(): never {
    throw new UnauthorizedException('Sign in first');
  }

  @RealtimeHandler('Validated')
  @UsePipes(new ValidationPipe())
  validated(@MessageBody() dto: NameDto) {
    return { hello: dto.name };
  }

  @RealtimeHandler('Missing')
  missing(): never {
    throw new NotFoundException('No such widget');
  }

  @RealtimeHandler('Crash')
  crash(): never {
    throw new Error('database password is hunter2');
  }

  @RealtimeHandler('BrokenFilter')
  @UseFilters(BrokenFilter)
  broken(): never {
    throw new Error('the handler failed first');
  }

  @RealtimeHandler('Refused')
  @UseGuards(WsRefusingGuard)
  refused(): string {
    return 'never';
  }

  @RealtimeHandler('Mapped')
  @UseFilters(RangeToWsFilter)
  mapped(): never {
    throw new RangeError('qty must be below 10');
  }
}

@Controller()
class HttpRoutes {
  @Get('fails')
  fails(): never {
    throw new NotFoundException();
  }

  @Get('report')
  report() {
    return { report: 'quarterly' };
  }
}

@Module({
  imports: [RealtimeModule.forRoot({ secret: 'global-enhancers-secret-0123', callRouteHeaders: ['authorization', 'X-Api-Key'] })],
  controllers: [HttpRoutes],
  providers: [
    Handlers,
    { provide: APP_FILTER, useClass: CatchEverythingFilter },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
})
class AppModule {}

describe('global enhancers of an ordinary Nest app', () => {
  const logger = new CaptureLogger();
  let app: INestApplication;
  let http: string;
  let ws: string;

  before(async () => ({ app, http, ws } = await startApp(AppModule, '/', 'express', logger)));
  after(() => app.close());

  it('leaves global (HTTP) exception filters out of realtime handlers, as Nest gateways do', async () => {
    const client = await TestClient.connect(ws);
    assert.deepEqual((await client.call('Unauthorized')).payload, { error: 'Unauthorized', message: 'Sign in first' });
    const invalid = await client.call('Validated', { name: 5 });
    assert.equal(invalid.payload.error, 'ValidationFailed');
    assert.deepEqual(invalid.payload.errors, ['name must be a string']);
    assert.deepEqual((await client.call('Validated', { name: 'ada' })).payload, { hello: 'ada' });
    assert.deepEqual((await client.call('Missing')).payload, { error: 'NotFound', message: 'No such widget' });
    assert.deepEqual((await client.call('Crash')).payload, { error: 'InternalError', message: 'Internal server error' });
    client.close();
  });

  it('still runs the global filter on HTTP routes', async () => {
    const response = await fetch(`${http}/fails`, { headers: { 'x-api-key': 'let-me-in' } });
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { statusCode: 404, path: '/fails', caught: 'globally' });
  });

  it('runs @UseFilters() of the handler, and a filter mapping an error on purpose is not logged', async () => {
    const before = logger.errors.length;
    const client = await TestClient.connect(ws);
    assert.deepEqual((await client.call('Mapped')).payload, { error: 'OutOfRange', message: 'qty must be below 10' });
    client.close();
    assert.equal(logger.errors.length, before, 'a WsException thrown by a filter is an answer, not a fault');
  });

  it('answers a guard refusing with a WsException and logs nothing at error level', async () => {
    const before = logger.errors.length;
    const client = await TestClient.connect(ws);
    for (let i = 0; i < 5; i++) {
      assert.deepEqual((await client.call('Refused')).payload, { error: 'NotAllowed', message: 'Not for you' });
    }
    client.close();
    assert.deepEqual(logger.errors.slice(before), [], 'a client cannot make the server log errors');
  });

  it('logs an unexpected handler error once, with its stack', async () => {
    const before = logger.errors.length;
    const client = await TestClient.connect(ws);
    assert.equal((await client.call('Crash')).payload.error, 'InternalError');
    client.close();
    const logged = logger.errors.slice(before);
    assert.equal(logged.length, 1, JSON.stringify(logged));
    assert.match(logged[0]!.text, /Handlers\.crash failed[\s\S]*database password is hunter2/);
  });

  it('logs an error that a filter itself throws, and answers InternalError', async () => {
    const client = await TestClient.connect(ws);
    assert.deepEqual((await client.call('BrokenFilter')).payload, { error: 'InternalError', message: 'Internal server error' });
    assert.equal((await client.call('Ping')).event, 'Pong', 'the connection goes on');
    client.close();
    const logged = logger.errors.find(entry => entry.text.includes('Handlers.broken'));
    assert.ok(logged, `the filter's failure is logged; got ${JSON.stringify(logger.errors)}`);
    assert.match(logged.text, /exception filter .* threw/);
    assert.match(logged.text, /response\.status is not a function/);
  });

  it('lets a global guard with the isRealtimeContext exemption guard HTTP while sockets connect', async () => {
    const handlers = app.get(Handlers);
    const connects = handlers.connects;
    const client = await TestClient.connect(ws);
    assert.equal(handlers.connects, connects + 1, 'the connect hook ran behind the global guard');
    assert.equal((await client.call('Validated', { name: 'bo' })).event, 'Validated');
    client.close();
    assert.equal((await fetch(`${http}/fails`)).status, 403, 'HTTP without the key is refused');
  });

  it('lets a route call carry the headers callRouteHeaders allows, for the global guard', async () => {
    const client = await TestClient.connect(ws);
    const call = (headers?: Record<string, unknown>) => client.callRoute('get', '/report', undefined, headers);
    assert.equal((await call()).status, 403, 'the global guard refuses a call without the key');
    const allowed = await call({ 'x-api-key': 'let-me-in' });
    assert.equal(allowed.status, 200);
    assert.deepEqual(allowed.body, { report: 'quarterly' });
    const cookie = await call({ cookie: 'realtime_sk=stolen' });
    assert.equal(cookie.status, 400);
    assert.match(cookie.body.message, /header "cookie" may not be set on a route call \(allowed: authorization, x-api-key\)/);
    const injected = await call({ 'x-api-key': 'let-me-in\r\nx-evil: 1' });
    assert.equal(injected.status, 400, 'no header injection');
    assert.equal((await call({ 'x-api-key': 7 })).status, 400);
    client.close();
  });
});
