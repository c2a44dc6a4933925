/**
 * Who a subscription or a direct send is for: a connection id and the digest
 * of that id with the client's secret socket key. An HTTP request's identity
 * (`@RealtimeClient()`) and an open connection (`@ConnectedSocket()`) are both
 * client refs, so `ChannelService` takes either.
 *
 * @publicApi
 */
export interface RealtimeClientRef {
  /** The id the page or client connects with (`?socket_connection_id=`). */
  readonly connectionId: string;
  /** HMAC-SHA256 of the connection id keyed with the socket key. */
  readonly digest: string;
}
