import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import { selectProtocol } from '../protocol/subprotocol.js';
import type { ResolvedCompression } from '../interfaces/realtime-compression-options.interface.js';
import { perMessageDeflateOptions } from './compression.options.js';
import { DeflateAdmission } from './deflate.admission.js';
import type { UpgradeAdmission } from './upgrade.admission.js';

const DEFLATE = 'permessage-deflate';

/**
 * Gives the ws server that platform-ws made for the gateway what it reads on
 * each upgrade: the largest frame, the admission check, the subprotocol
 * choice and permessage-deflate.
 *
 * NOTE: @WebSocketGateway options are static class metadata, read before
 * async options could exist, so they cannot carry these; ws reads them from
 * `server.options` on every upgrade, so they are set there instead.
 */
export function setUpWebSocketServer(server: WebSocketServer, options: ResolvedRealtimeOptions, admission: UpgradeAdmission): void {
  server.options.maxPayload = options.maxMessageSize;
  server.options.verifyClient = admission.verify;
  // The admission refused offers with none of ours, so there is one to pick.
  server.options.handleProtocols = (offered: Set<string>) => selectProtocol(offered) ?? false;
  if (!options.compression) return;
  server.options.perMessageDeflate = perMessageDeflateOptions(options.compression);
  const deflate = new DeflateAdmission(options.compression);
  const handleUpgrade = server.handleUpgrade.bind(server);
  // NOTE: ws negotiates the extension before any hook of its own runs, and
  // platform-ws hands this server only the upgrades on the gateway's path.
  server.handleUpgrade = ((request: IncomingMessage, socket: Duplex, head: Buffer, done: (ws: WebSocket, request: IncomingMessage) => void) => {
    deflate.screen(request);
    handleUpgrade(request, socket, head, done);
  }) as WebSocketServer['handleUpgrade'];
}

/**
 * From how many bytes the frames to one socket are compressed: the
 * threshold when the socket negotiated permessage-deflate, else `undefined`.
 */
export function compressionThreshold(socket: WebSocket, compression: ResolvedCompression | false): number | undefined {
  return compression && socket.extensions.split(/,\s*/).includes(DEFLATE) ? compression.threshold : undefined;
}
