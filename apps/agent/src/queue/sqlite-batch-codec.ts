import type { QueueWrite } from './queue-store.js';

/**
 * A batch of writes in a form that crosses to the writer thread cheaply:
 * numbers in one Float64Array, strings in one array, payloads in one buffer,
 * the buffers transferred rather than copied. (Cloning the QueueWrite objects
 * costs more than the SQLite work moved off the thread; cloning a payload's
 * own view would copy its whole backing store, often an 8 KiB pool slab.)
 */
export interface EncodedBatch {
  numbers: Float64Array;
  strings: (string | null)[];
  payloads: ArrayBuffer;
}

const OP = { insert: 0, replace: 1, delete: 2, alias: 3, attempts: 4 } as const;
/** Numbers per write, opcode included. */
const WIDTH = { insert: 9, replace: 6, delete: 2, alias: 2, attempts: 3 } as const;

export function encodeBatch(writes: readonly QueueWrite[]): EncodedBatch {
  let count = 0;
  let payloadBytes = 0;
  for (const write of writes) {
    count += WIDTH[write.op];
    if (write.op === 'insert' || write.op === 'replace') payloadBytes += write.payload.byteLength;
  }
  const numbers = new Float64Array(count);
  const strings: (string | null)[] = [];
  const payloads = new ArrayBuffer(payloadBytes);
  const bytes = new Uint8Array(payloads);
  let n = 0;
  let offset = 0;
  const payload = (data: Uint8Array) => {
    bytes.set(data, offset);
    numbers[n++] = offset;
    numbers[n++] = data.byteLength;
    offset += data.byteLength;
  };
  for (const write of writes) {
    numbers[n++] = OP[write.op];
    switch (write.op) {
      case 'insert': {
        const r = write.record;
        numbers.set([r.seq, r.severity, r.bytes, r.createdAt, r.attempts, r.occurrences], n);
        n += 6;
        payload(write.payload);
        strings.push(r.id, r.dedupeKey ?? null);
        break;
      }
      case 'replace':
        numbers[n++] = write.seq;
        numbers[n++] = write.severity;
        numbers[n++] = write.occurrences;
        payload(write.payload);
        break;
      case 'delete':
        numbers[n++] = write.seq;
        break;
      case 'alias':
        numbers[n++] = write.seq;
        strings.push(write.alias);
        break;
      case 'attempts':
        numbers[n++] = write.seq;
        numbers[n++] = write.attempts;
        break;
    }
  }
  return { numbers, strings, payloads };
}

export function decodeBatch({ numbers, strings, payloads }: EncodedBatch): QueueWrite[] {
  const writes: QueueWrite[] = [];
  let n = 0;
  let s = 0;
  const payload = () => {
    const view = new Uint8Array(payloads, numbers[n], numbers[n + 1]);
    n += 2;
    return view;
  };
  while (n < numbers.length) {
    const op = numbers[n++];
    switch (op) {
      case OP.insert: {
        const [seq, severity, bytes, createdAt, attempts, occurrences] = numbers.subarray(n, n + 6);
        n += 6;
        const data = payload();
        const id = strings[s++] as string;
        const dedupeKey = strings[s++] ?? undefined;
        writes.push({
          op: 'insert',
          record: { id, seq, severity, bytes, dedupeKey, createdAt, attempts, occurrences },
          payload: data,
        });
        break;
      }
      case OP.replace: {
        const [seq, severity, occurrences] = numbers.subarray(n, n + 3);
        n += 3;
        writes.push({ op: 'replace', seq, severity, occurrences, payload: payload() });
        break;
      }
      case OP.delete:
        writes.push({ op: 'delete', seq: numbers[n++] });
        break;
      case OP.alias:
        writes.push({ op: 'alias', seq: numbers[n++], alias: strings[s++] as string });
        break;
      case OP.attempts:
        writes.push({ op: 'attempts', seq: numbers[n++], attempts: numbers[n++] });
        break;
      default:
        throw new Error(`unknown write opcode ${op}`);
    }
  }
  return writes;
}

/** The buffers to transfer with an encoded batch. */
export function batchBuffers(batch: EncodedBatch): ArrayBuffer[] {
  return [batch.numbers.buffer as ArrayBuffer, batch.payloads];
}
