import { sseEvents, type SseEvent } from '../src/api/sse-events.js';

/** A byte stream delivering `chunks` one read at a time. */
function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of sseEvents(stream)) events.push(event);
  return events;
}

describe('sseEvents', () => {
  it('reads the gateway feed: named events with ids, skipping comments and heartbeats', async () => {
    const events = await collect(
      streamOf(': connected\n\n', 'event: notification\nid: 7\ndata: {"seq":"7"}\n\n', ': heartbeat\n\n'),
    );
    expect(events).toEqual([{ event: 'notification', id: '7', data: '{"seq":"7"}' }]);
  });

  it('puts events split anywhere across chunks back together, CRLF included, and keeps the last id', async () => {
    const text = 'event: notification\r\nid: 1\r\ndata: a\r\n\r\ndata: b\r\ndata: c\r\n\r\n';
    const chunks = [...text].map((character) => character); // one character per read
    expect(await collect(streamOf(...chunks))).toEqual([
      { event: 'notification', id: '1', data: 'a' },
      { event: 'message', id: '1', data: 'b\nc' },
    ]);
  });

  it('decodes multi-byte characters split between chunks and drops an unfinished last event', async () => {
    const bytes = new TextEncoder().encode('data: Zürich ⚠\n\ndata: cut off');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(Uint8Array.of(byte));
        controller.close();
      },
    });
    expect(await collect(stream)).toEqual([{ event: 'message', id: undefined, data: 'Zürich ⚠' }]);
  });
});
