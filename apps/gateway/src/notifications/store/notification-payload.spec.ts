import { alerting } from '@app/proto';
import { decodeNotification } from './notification-payload.js';

/** What the generated decoder makes of `bytes`: the notification, or the error it throws. */
function generated(bytes: Uint8Array): alerting.Notification | string {
  try {
    return alerting.Notification.decode(bytes);
  } catch (error) {
    return `throws ${(error as Error).message}`;
  }
}

function fast(bytes: Uint8Array): alerting.Notification | string {
  try {
    return decodeNotification(bytes);
  } catch (error) {
    return `throws ${(error as Error).message}`;
  }
}

const encode = (notification: alerting.Notification) => alerting.Notification.encode(notification).finish();

/** A deterministic pseudo-random sequence (xorshift32), so that a failure can be replayed. */
function randomBytes(seed: number) {
  let state = seed;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const pick = <T>(choices: readonly T[]) => choices[Math.floor(next() * choices.length)];
  return { next, pick };
}

describe('decodeNotification', () => {
  it('decodes what the gateway stores as the generated decoder does', () => {
    const notifications: alerting.Notification[] = [
      { title: '', body: '', properties: {} },
      { title: 'OOMKilled: api', body: 'b'.repeat(300), properties: { opni_uuid: 'n-1', namespace: 'ns' } },
      { title: 'Ünïcödé ✓ 😀', body: '\u00e9\ufeffé', properties: { kéy: 'välue', '😀': '', '': 'empty key' } },
      { title: '\ufeffBOM first', body: 'x'.repeat(20_000), properties: { __proto__: 'p', 7: 'numeric', z: 'y' } },
    ];
    for (const notification of notifications) {
      const bytes = encode(notification);
      expect(decodeNotification(bytes)).toStrictEqual(alerting.Notification.decode(bytes));
      expect(decodeNotification(Buffer.from(bytes))).toStrictEqual(alerting.Notification.decode(bytes));
    }
  });

  it('agrees with the generated decoder on odd payloads: invalid UTF-8, unknown fields, truncation, repeats', () => {
    const stored = encode({ title: 'title', body: 'body', properties: { a: 'b', c: 'd' } });
    const cases: Uint8Array[] = [
      Uint8Array.from([10, 4, 0xc3, 0x28, 0xed, 0xa0, 18, 3, 0xf0, 0x9f, 0x98]), // invalid sequences, a cut emoji
      Uint8Array.from([10, 3, 0xef, 0xbb, 0xbf]), // a BOM is text
      Uint8Array.from([...stored, 32, 5]), // an unknown varint field
      Uint8Array.from([...stored, 10, 1, 0x41]), // the title again: the last one wins
      Uint8Array.from([26, 4, 10, 1, 0x6b, 24]), // an entry with an unknown field
      Uint8Array.from([26, 3, 18, 5, 0x76]), // an entry's value running past the entry
      Uint8Array.from([0, 10, 1, 0x41]), // tag 0 ends the message
      Uint8Array.from([10, 0x80, 0x80, 0x80, 0x80, 0x01]), // a five-byte length
      Uint8Array.from([10, 0x80, 0x01]), // a length longer than the payload
      stored.subarray(0, stored.length - 1),
      new Uint8Array(new ArrayBuffer(16), 3, 0),
    ];
    for (const bytes of cases) expect(fast(bytes)).toStrictEqual(generated(bytes));
  });

  it('agrees with the generated decoder on random payloads and on random mutations of stored ones', () => {
    const random = randomBytes(0x5eed);
    const pieces = [
      [0xc3, 0xa9],
      [0xe2, 0x82, 0xac],
      [0xf0, 0x9f, 0x98, 0x80],
      [0xc0],
      [0x80],
      [0xed, 0xa0, 0x80],
      [0x41],
    ];
    /** A string field's bytes: any mix of UTF-8, valid or not, some of it long enough for a two-byte length. */
    const field = (tag: number) => {
      const bytes: number[] = [];
      for (let n = Math.floor(random.next() * 8); n > 0; n--) bytes.push(...random.pick(pieces));
      if (random.next() < 0.1) bytes.push(...Array<number>(130).fill(0x62));
      const length = bytes.length < 0x80 ? [bytes.length] : [(bytes.length & 0x7f) | 0x80, bytes.length >> 7];
      return [tag, ...length, ...bytes];
    };
    for (let i = 0; i < 2_000; i++) {
      const entry = [...field(10), ...field(18)];
      const raw = Uint8Array.from([...field(10), ...field(18), 26, entry.length, ...entry, ...field(26).slice(0, 2)]);
      expect(fast(raw)).toStrictEqual(generated(raw));
      const mutated = Uint8Array.from(raw);
      mutated[Math.floor(random.next() * mutated.length)] = Math.floor(random.next() * 256);
      expect(fast(mutated)).toStrictEqual(generated(mutated));
      const noise = Uint8Array.from({ length: Math.floor(random.next() * 24) }, () => Math.floor(random.next() * 256));
      expect(fast(noise)).toStrictEqual(generated(noise));
    }
  });
});
