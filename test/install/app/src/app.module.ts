import { Module } from '@nestjs/common';
import { RealtimeModule } from 'nestjs-realtime';
import { EchoHandlers } from './echo.handlers.js';
import { RoomsController } from './rooms.controller.js';
import { realtimeOptions } from './realtime.options.js';

/** The app as the README's "Use it in your app" writes it: `RealtimeModule.forRoot(...)`. */
@Module({
  imports: [RealtimeModule.forRoot(realtimeOptions(process.env))],
  controllers: [RoomsController],
  providers: [EchoHandlers],
})
export class AppModule {}
