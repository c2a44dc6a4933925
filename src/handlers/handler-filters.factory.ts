import { Injectable, Logger } from '@nestjs/common';
import { ExternalContextCreator, ModulesContainer } from '@nestjs/core';
import type { NestContainer } from '@nestjs/core';
import { ExternalExceptionFilterContext } from '@nestjs/core/exceptions/external-exception-filter-context.js';
import { ExecutionContextHost } from '@nestjs/core/internal';
import { REALTIME_CONTEXT_TYPE } from '../realtime.constants.js';
import { FILTER_FAILED, HANDLER_FAILED } from '../realtime.messages.js';
import { toErrorPayload } from './error-payload.mapper.js';

type Target = (...args: unknown[]) => Promise<unknown>;

/**
 * Wraps compiled handlers with the exception filters that Nest's own gateways
 * run: those on the handler's class and method (`@UseFilters()`), not the
 * global ones (`useGlobalFilters()`, `APP_FILTER`).
 *
 * NOTE: global filters are written for HTTP (the catch-all from Nest's docs
 * calls `httpAdapter.reply(ctx.getResponse(), ...)`), so running them on a
 * socket crashes inside the filter and every error reaches the client as
 * `InternalError`. Nest's gateways leave them out for that reason;
 * `ExternalContextCreator` would include them, so filters are applied here,
 * and so is the logging of unexpected errors.
 * The deep import is Nest's own filter context, built without the application
 * config that holds the global filters; it reads nothing but the modules.
 */
@Injectable()
export class HandlerFiltersFactory {
  private readonly logger = new Logger('RealtimeModule');
  private readonly context: ExternalExceptionFilterContext;

  constructor(
    modules: ModulesContainer,
    private readonly contextCreator: ExternalContextCreator,
  ) {
    this.context = new ExternalExceptionFilterContext({ getModules: () => modules } as unknown as NestContainer);
  }

  /**
   * `target` with the class and method filters of `method` around it. An
   * error that a filter itself throws (rather than an exception it maps on
   * purpose, such as a `WsException`) is logged with its stack, never swallowed.
   */
  wrap(instance: object, method: (...args: unknown[]) => unknown, target: Target, source: string): Target {
    const module = this.contextCreator.getContextModuleKey(instance.constructor);
    const filters = this.context.create(instance, method as Parameters<ExternalExceptionFilterContext['create']>[1], module);
    return async (...args: unknown[]) => {
      try {
        return await target(...args);
      } catch (error) {
        const host = new ExecutionContextHost(args);
        host.setType(REALTIME_CONTEXT_TYPE);
        try {
          const handled: unknown = filters.invokeCustomFilters(error, host);
          if (handled !== undefined) return await handled;
        } catch (thrown) {
          if (thrown !== error && toErrorPayload(thrown).internal) {
            this.logger.error(FILTER_FAILED(source), (thrown as Error)?.stack ?? String(thrown));
          }
          throw thrown;
        }
        // NOTE: what Nest's default external filter would do next, less its
        // noise: it logs every Error that is not an HttpException, so a guard
        // that refuses with a WsException would let any client write error
        // logs. Only what reaches the client as InternalError is a fault.
        if (toErrorPayload(error).internal) {
          this.logger.error(HANDLER_FAILED(source), (error as Error)?.stack ?? String(error));
        }
        throw error;
      }
    };
  }
}
