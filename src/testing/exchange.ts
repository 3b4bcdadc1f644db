import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultQueue } from './faults.js';
import type { FakeSession, RecordedRequest, ScriptRule } from './types.js';

export type MutableRecord = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] };

/** One request in flight, as the route handlers see it. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** The recorded entry; handlers fill in what they learn (session, fault, stream). */
  record: MutableRecord;
  /** The parsed body, or the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
  /** Whether the raw body was present but not valid JSON. */
  invalidJson: boolean;
  /** Aborts when the client goes away or the fake closes, so timers and streams stop. */
  signal: AbortSignal;
  /** Marks the socket's coming end as the fake's own doing, not a client abort. */
  markServerDrop(): void;
  /** Tells `waitFor` callers that the record changed. */
  notify(): void;
}

/** What the handlers share for the fake's lifetime. */
export interface FakeState {
  readonly apiKey: string;
  readonly projectId: string;
  readonly tokenDelayMs: number;
  readonly script: readonly ScriptRule[];
  readonly sessions: Map<string, FakeSession>;
  readonly faults: FaultQueue;
  /** The messages whose fault marker has fired (see `markerKey`): each fires once, so a retry succeeds. */
  readonly firedMarkers: Set<string>;
}
