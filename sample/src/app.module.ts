import { Module } from '@nestjs/common';
import { RealtimeModule } from 'nestjs-realtime';
import { NewsModule } from './news/news.module.js';

/** Signs the socket-key cookie in development. Never use it in production. */
const DEV_SECRET = 'sample-dev-secret-change-me';

@Module({
  imports: [
    RealtimeModule.forRoot({
      // `/` lets pakyow's browser snippet connect unmodified.
      path: '/',
      // Writes data-socket-connection-id="<id>" onto the <body> of every HTML page.
      injectConnectionId: true,
      secret: process.env.REALTIME_SECRET ?? DEV_SECRET,
      // With REDIS_URL set (npm run start:cluster), instances share channels
      // through Redis; without it, everything runs in this one process.
      ...(process.env.REDIS_URL ? { redis: { url: process.env.REDIS_URL } } : {}),
    }),
    NewsModule,
  ],
})
export class AppModule {}
