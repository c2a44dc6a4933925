import type { LoggerService } from '@nestjs/common';

/** One line a Nest logger was asked to write. */
export interface LogEntry {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  text: string;
}

/**
 * A Nest logger that keeps every entry, so a test can assert what the server
 * logged (and, above all, that a client made it log nothing at error level).
 */
export class CaptureLogger implements LoggerService {
  readonly entries: LogEntry[] = [];

  /**
   * @param levels the levels to keep (all by default). NOTE: a long-running
   * app that keeps only errors does not grow with every debug line a hostile
   * client causes, so its memory can be compared with a baseline.
   */
  constructor(private readonly levels?: ReadonlyArray<LogEntry['level']>) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.add('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.add('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.add('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.add('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.add('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.add('fatal', message, rest);
  }

  /** Entries at error level (and fatal). */
  get errors(): LogEntry[] {
    return this.entries.filter(entry => entry.level === 'error' || entry.level === 'fatal');
  }

  private add(level: LogEntry['level'], message: unknown, rest: unknown[]): void {
    if (this.levels && !this.levels.includes(level)) return;
    const parts = [message, ...rest].map(part => (part instanceof Error ? `${part.message}\n${part.stack}` : String(part)));
    this.entries.push({ level, text: parts.join(' ') });
  }
}
