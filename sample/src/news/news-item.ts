/** The channel every news page is subscribed to. */
export const NEWS_CHANNEL = 'news';

/** The event name of a news push. */
export const NEWS_POSTED = 'NewsPosted';

/** Longest news item, in characters. */
export const NEWS_MAX_LENGTH = 280;

/** One news item: the payload of a `NewsPosted` push on the `news` channel. */
export interface NewsItem {
  text: string;
  /** When it was posted, as an ISO 8601 string. */
  at: string;
}
