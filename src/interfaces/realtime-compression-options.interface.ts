/**
 * permessage-deflate (RFC 7692) for the frames the server sends, the
 * `compression` option. Off unless given. Each socket that negotiates it
 * holds its own zlib streams, so what it costs grows with the sockets that
 * ask for it: docs/security.md says how each field bounds it, and
 * docs/scaling.md what it costs on a test machine.
 *
 * @publicApi
 */
export interface RealtimeCompressionOptions {
  /**
   * Frames shorter than this many bytes go out uncompressed, on every socket.
   * Small JSON frames gain little from deflate and cost it as much CPU.
   * @default 1024
   */
  threshold?: number;
  /**
   * zlib compression level, 1 (fastest) to 9 (smallest). A push is
   * compressed once per socket, so fan-out CPU grows with it.
   * @default 1
   */
  level?: number;
  /**
   * zlib memLevel, 1 to 9: the size of the compressor's hash tables
   * (`2^(memLevel + 9)` bytes per socket).
   * @default 6
   */
  memLevel?: number;
  /**
   * Base-2 log of the compressor's window, 9 to 15 (`2^(windowBits + 2)`
   * bytes per socket), sent to clients as `server_max_window_bits` when
   * below 15. A client that asks for a smaller window than this gets no
   * compression, and still connects.
   * @default 12
   */
  windowBits?: number;
  /**
   * Most sockets that may have compression at once; later ones connect
   * uncompressed until some close. `0` for no cap.
   * @default 0
   */
  maxSockets?: number;
}

/** permessage-deflate settings after defaults are merged. */
export interface ResolvedCompression {
  threshold: number;
  level: number;
  memLevel: number;
  windowBits: number;
  maxSockets: number;
}
