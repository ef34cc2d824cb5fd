/** Levelled logging to stderr, so stdout stays clean for --json output. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export class StderrLogger implements Logger {
  constructor(private readonly level: LogLevel = 'info') {}

  private write(level: LogLevel, msg: string): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const prefix = level === 'info' ? '' : `${level}: `;
    process.stderr.write(`${prefix}${msg}\n`);
  }

  debug(msg: string): void { this.write('debug', msg); }
  info(msg: string): void { this.write('info', msg); }
  warn(msg: string): void { this.write('warn', msg); }
  error(msg: string): void { this.write('error', msg); }
}
