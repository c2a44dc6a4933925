import { Injectable } from '@nestjs/common';
import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { RealtimeHandler, type RealtimeConnection } from 'nestjs-realtime';

/** What `Echo` answers. */
export interface Echoed {
  echoed: unknown;
  connectionId: string;
}

/** A custom client action, answered with the caller's tag. */
@Injectable()
export class EchoHandlers {
  @RealtimeHandler('Echo')
  echo(@MessageBody() payload: unknown, @ConnectedSocket() connection: RealtimeConnection): Echoed {
    return { echoed: payload, connectionId: connection.connectionId };
  }
}
