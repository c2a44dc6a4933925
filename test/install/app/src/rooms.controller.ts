import { Body, Controller, Get, Header, Param, Post } from '@nestjs/common';
import { ChannelService, RealtimeClient, type PushReceipt, type RealtimeClientRef } from 'nestjs-realtime';

/** A message someone posts to a room. */
export interface SayBody {
  text: string;
}

/** Room pages that subscribe while they render, and a route that pushes to a room. */
@Controller('rooms')
export class RoomsController {
  constructor(private readonly channels: ChannelService) {}

  /** An HTML page subscribed to its room before its socket connects; `injectConnectionId` puts the id on `<body>`. */
  @Get(':room')
  @Header('content-type', 'text/html; charset=utf-8')
  async page(@Param('room') room: string, @RealtimeClient() client: RealtimeClientRef): Promise<string> {
    await this.channels.subscribe(client, `room:${room}`);
    return [
      '<!doctype html>',
      `<html><head><title>${room}</title></head>`,
      `<body><h1>${room}</h1><script type="module">`,
      "import { RealtimeSocket } from '/realtime/client.js';",
      "const socket = new RealtimeSocket({ connectionId: 'auto' });",
      "socket.subscribe('room:" + room + "').on('Said', ({ text }) => console.log(text));",
      'await socket.connect();',
      '</script></body></html>',
    ].join('\n');
  }

  /** A page that subscribes nothing: `injectConnectionId` still gives it an id for its socket. */
  @Get(':room/about')
  @Header('content-type', 'text/html; charset=utf-8')
  about(@Param('room') room: string): string {
    return `<!doctype html>\n<html><head><title>About ${room}</title></head><body><p>About ${room}</p></body></html>`;
  }

  /** Pushes a message to everyone on the room's page, on every instance. */
  @Post(':room/messages')
  say(@Param('room') room: string, @Body() body: SayBody): Promise<PushReceipt> {
    return this.channels.push({ text: body.text }, `room:${room}`, { event: 'Said' });
  }

  /** Who the caller is: over `call-route`, the calling connection. */
  @Get(':room/me')
  me(@RealtimeClient() client: RealtimeClientRef): { connectionId: string } {
    return { connectionId: client.connectionId };
  }
}
