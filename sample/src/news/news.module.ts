import { Module } from '@nestjs/common';
import { NewsController } from './news.controller.js';
import { NewsService } from './news.service.js';

/** A live news feed: a page subscribed to the `news` channel, and a route that posts to it. */
@Module({
  controllers: [NewsController],
  providers: [NewsService],
})
export class NewsModule {}
