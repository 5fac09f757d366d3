import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The part of a `ws` WebSocket the tests use when they play the CLI's side of a run socket. */
export interface SocketClient {
  on(event: 'open', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'close', listener: (code: number) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  send(text: string): void;
}

/** The API's own WebSocket client, `ws` (the dashboard has none). */
export const WebSocket = createRequire(fileURLToPath(new URL('../../../api/package.json', import.meta.url)))('ws') as new (
  url: string,
  options?: { rejectUnauthorized?: boolean },
) => SocketClient;
