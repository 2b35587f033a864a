import {
  matchesSearch,
  MAX_INDEXED_WORDS,
  notificationWords,
  SEARCH_WORD_LENGTH,
  searchWords,
} from './notification-search.js';

describe('searchWords', () => {
  it('splits on everything but letters, digits and marks, in lower case', () => {
    expect(searchWords('Disk /var/log at 99%: "FULL" (node-7)')).toEqual([
      'disk',
      'var',
      'log',
      'at',
      '99',
      'full',
      'node',
      '7',
    ]);
    expect(searchWords('ÜNÏCØDÉ ✓ 東京')).toEqual(['ünïcødé', '東京']);
  });

  it('finds no word in punctuation and search syntax alone', () => {
    expect(searchWords('"*:()^- OR AND NOT NEAR')).toEqual(['or', 'and', 'not', 'near']);
    expect(searchWords(`"*:()^-'\\%_`)).toEqual([]);
  });

  it('cuts long words to SEARCH_WORD_LENGTH characters', () => {
    expect(searchWords('x'.repeat(100))).toEqual(['x'.repeat(SEARCH_WORD_LENGTH)]);
  });
});

describe('notificationWords', () => {
  it('takes the distinct words of title, body and property values, not keys', () => {
    expect(notificationWords({ title: 'Disk full', body: 'disk at 99', properties: { team: 'Storage' } })).toEqual([
      'disk',
      'full',
      'at',
      '99',
      'storage',
    ]);
  });

  it('indexes at most MAX_INDEXED_WORDS words', () => {
    const body = Array.from({ length: MAX_INDEXED_WORDS + 5 }, (_, i) => `w${i}`).join(' ');
    expect(notificationWords({ body })).toHaveLength(MAX_INDEXED_WORDS);
  });
});

describe('matchesSearch', () => {
  const disk = { title: 'Disk full', body: 'on node-7', properties: { opni_dedupe_key: 'disk-full/node-7' } };

  it('matches when every word starts a word of the notification, in any case', () => {
    expect(matchesSearch(disk, 'DISK')).toBe(true);
    expect(matchesSearch(disk, 'di no')).toBe(true);
    expect(matchesSearch(disk, 'disk memory')).toBe(false);
    expect(matchesSearch(disk, 'isk')).toBe(false);
  });

  it('matches everything for a query without words', () => {
    expect(matchesSearch(disk, '  ')).toBe(true);
  });
});
