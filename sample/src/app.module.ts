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
    }),
    NewsModule,
  ],
})
export class AppModule {}
