import { describe, expect, it } from 'vitest';
import { readEvents } from '../support/sse-transport.js';

/** Feeds `pieces` as a byte stream and collects the events' data. */
async function events(pieces: Array<string | Uint8Array>): Promise<{ data: string[]; bytes: number }> {
  const data: string[] = [];
  let bytes = 0;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(typeof piece === 'string' ? encoder.encode(piece) : piece);
      controller.close();
    },
  });
  await readEvents(
    body,
    (each) => data.push(each),
    () => bytes++,
  );
  return { data, bytes };
}

describe('readEvents: the event-stream format', () => {
  it('reads data lines, LF, CRLF and CR line ends, and joins multi-line data with LF', async () => {
    expect((await events(['data: one\n\ndata: two\r\n\r\ndata: three\r\rdata: a\ndata: b\n\n'])).data).toEqual([
      'one',
      'two',
      'three',
      'a\nb',
    ]);
  });

  it('ignores comments (keep-alives) and fields a chat stream does not use', async () => {
    expect((await events([': ping\n\nevent: message\nid: 7\nretry: 10\ndata: x\n\n: ping\n\n'])).data).toEqual(['x']);
  });

  it('takes one space after the colon off, no more; a bare "data" is an empty line of data', async () => {
    expect((await events(['data:no-space\n\ndata:  two spaces\n\ndata\ndata: b\n\n'])).data).toEqual([
      'no-space',
      ' two spaces',
      '\nb',
    ]);
  });

  it('joins lines split anywhere across pieces, a CRLF split between two pieces included', async () => {
    const text = 'data: {"a":1}\r\n\r\ndata: héllo\r\n\r\n';
    const bytes = new TextEncoder().encode(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect((await events([bytes.slice(0, cut), bytes.slice(cut)])).data, `cut at ${cut}`).toEqual([
        '{"a":1}',
        'héllo',
      ]);
    }
    expect((await events(text.split(''))).data).toEqual(['{"a":1}', 'héllo']);
  });

  it('delivers a last event that lacks its blank line (a proxy cut it)', async () => {
    expect((await events(['data: a\n\ndata: [DONE]'])).data).toEqual(['a', '[DONE]']);
    expect((await events(['data: a\n\ndata: [DONE]\n'])).data).toEqual(['a', '[DONE]']);
  });

  it('drops a byte-order mark and tells of each piece as it arrives', async () => {
    const { data, bytes } = await events([new Uint8Array([0xef, 0xbb, 0xbf]), 'data: x\n\n']);
    expect(data).toEqual(['x']);
    expect(bytes).toBeGreaterThanOrEqual(2);
  });

  it('stops reading at a throw from the caller (a malformed chunk), and the throw reaches the caller', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: bad\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    await expect(
      readEvents(
        body,
        () => {
          throw new Error('malformed');
        },
        () => {},
      ),
    ).rejects.toThrow('malformed');
    await new Promise((resolve) => setImmediate(resolve));
    expect(cancelled).toBe(true);
  });

  it('reads one long line arriving in many small pieces', async () => {
    const pieces = Array.from({ length: 2000 }, () => 'x'.repeat(50));
    const { data } = await events(['data: ', ...pieces, '\n\n']);
    expect(data[0]).toHaveLength(100_000);
  });
});
