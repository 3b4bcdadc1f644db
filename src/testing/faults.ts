import { FAULTS } from './types.js';
import type { Fault, FaultOptions } from './types.js';

export const DEFAULT_SLOW_FIRST_BYTE_MS = 2000;

/** A fault chosen for one request, with its resolved settings. */
export interface AppliedFault {
  fault: Fault;
  delayMs: number;
}

export function isFault(value: unknown): value is Fault {
  return typeof value === 'string' && (FAULTS as readonly string[]).includes(value);
}

/** Faults waiting for the next chat requests, in the order they were injected. */
export class FaultQueue {
  #pending: Array<{ applied: AppliedFault; remaining: number }> = [];

  add(fault: Fault, count = 1, options: FaultOptions = {}): void {
    if (!isFault(fault)) throw new TypeError(`Unknown fault "${String(fault)}"; expected one of ${FAULTS.join(', ')}`);
    if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
    const delayMs = options.delayMs ?? DEFAULT_SLOW_FIRST_BYTE_MS;
    this.#pending.push({ applied: { fault, delayMs }, remaining: count });
  }

  take(): AppliedFault | undefined {
    const head = this.#pending[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) this.#pending.shift();
    return head.applied;
  }

  clear(): void {
    this.#pending = [];
  }
}

/** What the markers in a user message ask for, and the text without them. */
export interface Markers {
  text: string;
  fault: AppliedFault | undefined;
  /** From `[[delay:MS]]`: this request's pause between chunks. */
  tokenDelayMs: number | undefined;
  /** A `[[fault:…]]` naming no known fault: answered with 400 so a typo does not pass silently. */
  unknownFault: string | undefined;
}

const MARKER = /\[\[(fault|delay):([a-z0-9-]*)(?::(\d+))?\]\]/gi;

/**
 * Reads `[[fault:NAME]]`, `[[fault:slow-first-byte:MS]]` and `[[delay:MS]]` from a message, so a
 * browser test or a request sent through the proxy can ask for a fault without a Node handle.
 */
export function readMarkers(text: string): Markers {
  const markers: Markers = { text, fault: undefined, tokenDelayMs: undefined, unknownFault: undefined };
  for (const [, kind, value = '', number] of text.matchAll(MARKER)) {
    if (kind?.toLowerCase() === 'delay') {
      markers.tokenDelayMs = Number(value);
    } else if (isFault(value.toLowerCase())) {
      const fault = value.toLowerCase() as Fault;
      markers.fault = { fault, delayMs: number === undefined ? DEFAULT_SLOW_FIRST_BYTE_MS : Number(number) };
    } else {
      markers.unknownFault = value;
    }
  }
  markers.text = text
    .replace(MARKER, '')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
  return markers;
}
