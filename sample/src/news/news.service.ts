import { Injectable } from '@nestjs/common';
import { ChannelService, type PushReceipt, type RealtimeClientRef } from 'nestjs-realtime';
import { NEWS_CHANNEL, NEWS_POSTED, type NewsItem } from './news-item.js';

/** How many recent items a freshly rendered page shows. */
const RECENT_LIMIT = 20;

/** Posts news items to the `news` channel and remembers the latest few (in memory). */
@Injectable()
export class NewsService {
  private readonly recentItems: NewsItem[] = [];

  constructor(private readonly channels: ChannelService) {}

  /** Subscribes a client (a page being rendered, before its socket connects) to the feed. */
  follow(client: RealtimeClientRef): Promise<void> {
    return this.channels.subscribe(client, NEWS_CHANNEL);
  }

  /** The latest items, newest first. */
  recent(): readonly NewsItem[] {
    return this.recentItems;
  }

  /** Pushes a new item to every page following the feed. */
  post(text: string): Promise<PushReceipt> {
    const item: NewsItem = { text, at: new Date().toISOString() };
    this.recentItems.unshift(item);
    this.recentItems.length = Math.min(this.recentItems.length, RECENT_LIMIT);
    return this.channels.push(item, NEWS_CHANNEL, { event: NEWS_POSTED });
  }
}
