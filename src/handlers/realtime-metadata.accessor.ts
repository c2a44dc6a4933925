import { Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ChannelFamilyMetadata } from '../decorators/channel-family.decorator.js';
import {
  CHANNEL_FAMILY_METADATA,
  REALTIME_HANDLER_METADATA,
  REALTIME_LIFECYCLE_METADATA,
} from '../realtime.constants.js';
import type { RealtimeHandlerMetadata } from '../decorators/realtime-handler.decorator.js';
import type { RealtimeLifecycleEvent } from '../decorators/realtime-lifecycle.decorator.js';

/** Reads what the decorators recorded; tolerant of targets that are not functions. */
@Injectable()
export class RealtimeMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  handlers(method: unknown): RealtimeHandlerMetadata[] {
    if (typeof method !== 'function') return [];
    return this.reflector.get<RealtimeHandlerMetadata[]>(REALTIME_HANDLER_METADATA, method) ?? [];
  }

  lifecycle(method: unknown): RealtimeLifecycleEvent | undefined {
    if (typeof method !== 'function') return undefined;
    return this.reflector.get<RealtimeLifecycleEvent>(REALTIME_LIFECYCLE_METADATA, method);
  }

  family(type: unknown): ChannelFamilyMetadata | undefined {
    if (typeof type !== 'function') return undefined;
    return this.reflector.get<ChannelFamilyMetadata>(CHANNEL_FAMILY_METADATA, type as Type);
  }
}
