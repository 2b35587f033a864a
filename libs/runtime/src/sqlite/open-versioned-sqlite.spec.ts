import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openVersionedSqlite, type VersionedSqliteSpec } from './open-versioned-sqlite.js';

describe('openVersionedSqlite', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'versioned-sqlite-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const spec = (version: number, schema = 'CREATE TABLE IF NOT EXISTS things (id INTEGER PRIMARY KEY);') =>
    ({
      kind: 'thing',
      reader: 'this test',
      version,
      table: 'things',
      schema,
      synchronous: 'FULL',
      remedy: 'move it aside',
    }) satisfies VersionedSqliteSpec;

  it('creates the file in WAL mode with the schema, the version and the durability asked for', () => {
    const db = openVersionedSqlite(join(dir, 'a.db'), spec(3));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()).toEqual(['things']);
    db.close();
  });

  it('reopens a file of its own version and adds tables that are new in that version', () => {
    openVersionedSqlite(join(dir, 'a.db'), spec(3)).close();
    const db = openVersionedSqlite(
      join(dir, 'a.db'),
      spec(3, 'CREATE TABLE IF NOT EXISTS things (id INTEGER PRIMARY KEY); CREATE TABLE IF NOT EXISTS extras (x);'),
    );
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all()).toEqual([
      'extras',
      'things',
    ]);
    db.close();
  });

  it('refuses a file of another version with a message naming the file, both versions and the remedy', () => {
    const path = join(dir, 'a.db');
    openVersionedSqlite(path, spec(3)).close();
    expect(() => openVersionedSqlite(path, spec(4))).toThrow(
      `${path} has thing schema version 3, this test reads version 4: move it aside`,
    );
  });

  it('refuses a file of another version even when it lacks the table (a newer layout, or another program)', () => {
    const path = join(dir, 'b.db');
    const other = openVersionedSqlite(path, { ...spec(7), table: 'elsewhere', schema: 'CREATE TABLE elsewhere (x);' });
    other.close();
    expect(() => openVersionedSqlite(path, spec(3))).toThrow(`${path} has thing schema version 7`);
  });
});
