import { Body, Controller, Get, Header, Post, ValidationPipe } from '@nestjs/common';
import { RealtimeClient, type PushReceipt, type RealtimeClientRef } from 'nestjs-realtime';
import { renderNewsPage } from './news.page.js';
import { NewsService } from './news.service.js';
import { PostNewsDto } from './post-news.dto.js';

@Controller()
export class NewsController {
  constructor(private readonly news: NewsService) {}

  /**
   * The news page. Its client is subscribed while the page renders, so the
   * socket it opens with the page's connection id receives the feed at once.
   */
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  async page(@RealtimeClient() client: RealtimeClientRef): Promise<string> {
    await this.news.follow(client);
    return renderNewsPage(this.news.recent());
  }

  /** Posts `{text}` (1 to 280 characters) to the feed; answers with the push receipt. */
  @Post('news')
  post(@Body(new ValidationPipe({ transform: true, stopAtFirstError: true })) body: PostNewsDto): Promise<PushReceipt> {
    return this.news.post(body.text);
  }
}
