// Types for scripts/demo-server.mjs, for the tests that start it (the scripts are plain JS).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeUpstream } from '../src/testing/index.js';

export interface DemoServerOptions {
  host?: string;
  port?: number;
  upstream:
    | { fake: { tokenDelayMs?: number } }
    | { apiKey: string; projectId: string; baseUrl?: string; sessionSecret: string | readonly string[] };
  /** Answers a request before the demo's own routes when it returns true. */
  handle?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
}

export interface DemoServer {
  url: string;
  fake: FakeUpstream | undefined;
  close(): Promise<void>;
}

export function startDemoServer(options: DemoServerOptions): Promise<DemoServer>;
