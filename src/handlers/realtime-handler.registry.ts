import { Injectable } from '@nestjs/common';
import type { RealtimeConnection } from '../channels/realtime-connection.interface.js';
import { RESERVED_ACTIONS } from '../protocol/event-names.js';
import { DUPLICATE_HANDLER, RESERVED_HANDLER } from '../realtime.messages.js';
import type { RealtimeLifecycleEvent } from '../decorators/realtime-lifecycle.decorator.js';

/** A handler compiled with Nest's enhancers: call it with the handler arguments. */
export type CompiledHandler = (connection: RealtimeConnection, payload: unknown, action: string) => Promise<unknown>;

/** One registered action. */
export interface RegisteredHandler {
  action: string;
  reply: string;
  authRequired: boolean;
  /** `Class.method`, for messages and logs. */
  source: string;
  invoke: CompiledHandler;
}

/** The application's actions and connection hooks, compiled once at startup. */
@Injectable()
export class RealtimeHandlerRegistry {
  private readonly handlers = new Map<string, RegisteredHandler>();
  private readonly hooks: Record<RealtimeLifecycleEvent, CompiledHandler[]> = { connect: [], disconnect: [] };

  register(handler: RegisteredHandler): void {
    if (RESERVED_ACTIONS.has(handler.action)) {
      throw new Error(RESERVED_HANDLER(handler.action, handler.source));
    }
    const existing = this.handlers.get(handler.action);
    if (existing) throw new Error(DUPLICATE_HANDLER(handler.action, existing.source, handler.source));
    this.handlers.set(handler.action, handler);
  }

  get(action: string): RegisteredHandler | undefined {
    return this.handlers.get(action);
  }

  addHook(event: RealtimeLifecycleEvent, hook: CompiledHandler): void {
    this.hooks[event].push(hook);
  }

  hooksFor(event: RealtimeLifecycleEvent): readonly CompiledHandler[] {
    return this.hooks[event];
  }
}
