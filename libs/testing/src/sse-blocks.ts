/**
 * Reads a Server-Sent Events body until it ends or is aborted, calling
 * `onBlock` with each event block's text (its lines, without the blank line
 * that ends it). An error ends the reading quietly, as an abort does: the
 * caller's waits say what did not arrive.
 */
export async function readSseBlocks(body: ReadableStream<Uint8Array>, onBlock: (block: string) => void): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        onBlock(block);
      }
    }
  } catch {
    // aborted by the caller, or the server went away
  }
}
