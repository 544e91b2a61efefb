/**
 * Logging goes to stderr only: stdout carries the MCP protocol. Set MESSAGE_TRACE_LOG=debug for
 * more, or =silent for none.
 */
import { scrubSecrets } from './output/secrets.js';

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

export function createLogger(level: string | undefined = process.env.MESSAGE_TRACE_LOG, write = (s: string) => process.stderr.write(s)): Logger {
  const min = LEVELS[(level?.toLowerCase() as Level) in LEVELS ? (level?.toLowerCase() as Level) : 'info'];
  const at = (lvl: Exclude<Level, 'silent'>) => (msg: string) => {
    if (LEVELS[lvl] >= min) write(`${new Date().toISOString()} message-trace-mcp ${lvl}: ${scrubSecrets(msg)}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
