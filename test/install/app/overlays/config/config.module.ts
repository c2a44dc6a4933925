import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { RealtimeModule } from 'nestjs-realtime';
import { EchoHandlers } from './echo.handlers.js';
import { RoomsController } from './rooms.controller.js';
import { realtimeOptions, type RealtimeEnv } from './realtime.options.js';

/**
 * The same app configured through `@nestjs/config`: `RealtimeModule.forRootAsync`
 * with a factory that reads `ConfigService`, and `path` as an extra beside it.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true }),
    RealtimeModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService<RealtimeEnv, true>) =>
        realtimeOptions({ REALTIME_SECRET: config.get('REALTIME_SECRET'), REDIS_URL: config.get('REDIS_URL') }),
      path: '/',
    }),
  ],
  controllers: [RoomsController],
  providers: [EchoHandlers],
})
export class AppModule {}
