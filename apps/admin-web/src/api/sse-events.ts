// Server-Sent Events parsing for the live feed, which is read with fetch
// (EventSource cannot send the Authorization header). Follows the event
// stream format of https://html.spec.whatwg.org/multipage/server-sent-events.html.

/** One event: its type (`message` unless named), its id if it had one, and its data lines joined by \n. */
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/** Splits a byte stream into events; comments (`: heartbeat`) are skipped, and so is an unfinished last event. */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let type = '';
  let id: string | undefined;
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      // A CR at the end may be the first half of a CRLF split across chunks: keep it for the next one.
      const complete = buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
      const lines = buffer.slice(0, complete).split(/\r\n|\r|\n/);
      buffer = lines.pop()! + buffer.slice(complete);
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) yield { event: type || 'message', id, data: data.join('\n') };
          type = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') type = text;
        else if (field === 'id') id = text;
        else if (field === 'data') data.push(text);
      }
    }
  } finally {
    reader.releaseLock();
  }
}
