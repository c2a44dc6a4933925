import { Module } from '@nestjs/common';
import { RealtimeModule } from 'nestjs-realtime';
import { AuthModule } from './auth/auth.module.js';
import { ChatModule } from './chat/chat.module.js';
import { HomeController } from './home.controller.js';
import { AssetsController } from './shared/assets.controller.js';
import { WidgetsModule } from './widgets/widgets.module.js';

/** Signs the socket-key cookie in development. Never use it in production. */
const DEV_SECRET = 'sample-dev-secret-change-me';

@Module({
  imports: [
    RealtimeModule.forRoot({
      // `/` lets pakyow's browser snippet connect unmodified.
      path: '/',
      // Writes data-socket-connection-id="<id>" onto the <body> of every HTML page.
      injectConnectionId: true,
      // Serves the browser client at /realtime/client.js for the pages' scripts.
      serveClient: true,
      secret: process.env.REALTIME_SECRET ?? DEV_SECRET,
      // Each room keeps its last 200 messages for an hour: a page that
      // connects after its route rendered it, or reconnects, gets what it
      // missed from there (and hears `stale` when that cannot be done).
      history: [{ match: 'chat:*', size: 200, ttl: 3_600_000 }],
      // With REDIS_URL set (npm run start:cluster), instances share channels
      // through Redis; without it, everything runs in this one process.
      ...(process.env.REDIS_URL ? { redis: { url: process.env.REDIS_URL } } : {}),
    }),
    AuthModule,
    ChatModule,
    WidgetsModule,
  ],
  controllers: [HomeController, AssetsController],
})
export class AppModule {}
