import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileSystemError, FileSystemError, Generation } from '@confide/core';
import { makeFolder } from '@confide/data';
import type Database from 'better-sqlite3';
import { canonicalJson } from '../request-key.js';

/** Plain reasons for SQLite's result codes when the cache file cannot be used. */
const SQLITE_REASONS: Record<string, string> = {
  SQLITE_CANTOPEN: 'cannot open the response cache (a folder, or a place that cannot be written?); pass --cache <file> or --no-cache',
  SQLITE_NOTADB: 'is not a response cache (not an SQLite database); pass --cache <file> or --no-cache',
  SQLITE_CORRUPT: 'the response cache is corrupt; delete it or pass --cache <file> or --no-cache',
  SQLITE_READONLY: 'the response cache is read-only; pass --cache <file> or --no-cache',
  SQLITE_PERM: 'permission denied',
  SQLITE_FULL: 'no space left on device',
  SQLITE_IOERR: 'input/output error',
};

/** A SQLite (or file-system) failure of the cache at `path` as an IO_ERROR naming `path`. */
function cacheError(error: unknown, path: string): unknown {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  const reason = code === undefined ? undefined : (SQLITE_REASONS[code] ?? SQLITE_REASONS[code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1')]);
  if (reason !== undefined) return new FileSystemError('IO_ERROR', path, reason, { cause: error });
  return fileSystemError(error, path);
}

/**
 * A content-addressed cache of model answers in SQLite: key = SHA-256 of the normalised request (never credentials),
 * value = the Generation. Only successful answers are stored. WAL journaling, so a killed process loses at most the
 * write in progress and never corrupts earlier ones.
 */
export class ResponseCache {
  readonly #database: Database.Database;
  readonly #get: Database.Statement<[string], { generation: string }>;
  readonly #put: Database.Statement<[string, string, string, string, string]>;

  /** Opens (or makes) the cache at `path`; a cache that cannot be opened is an IO_ERROR naming `path`, in plain words. */
  constructor(readonly path: string) {
    if (path !== ':memory:') makeFolder(dirname(path), path);
    // required here, when a cache is opened (in this constructor, synchronously), not by every command that imports
    // @confide/inference: most never send a request
    const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
    try {
      this.#database = new Sqlite(path);
      this.#database.pragma('journal_mode = WAL');
      this.#database.pragma('synchronous = NORMAL');
      this.#database.pragma('busy_timeout = 5000');
      this.#database.exec(`CREATE TABLE IF NOT EXISTS responses (
        key TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        request TEXT NOT NULL,
        generation TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID`);
      this.#get = this.#database.prepare('SELECT generation FROM responses WHERE key = ?');
      this.#put = this.#database.prepare(
        'INSERT OR REPLACE INTO responses (key, model, request, generation, created_at) VALUES (?, ?, ?, ?, ?)',
      );
    } catch (error) {
      throw cacheError(error, path);
    }
  }

  /** The stored answer, or undefined; a row that no longer validates is treated as absent. */
  get(key: string): Generation | undefined {
    const row = this.#get.get(key);
    if (row === undefined) return undefined;
    const parsed = Generation.safeParse(JSON.parse(row.generation));
    return parsed.success ? parsed.data : undefined;
  }

  /** Stores an answer; the request is kept as its canonical JSON (or given as that text already). */
  put(key: string, normalisedRequest: Record<string, unknown> | string, generation: Generation): void {
    const request = typeof normalisedRequest === 'string' ? normalisedRequest : canonicalJson(normalisedRequest);
    try {
      this.#put.run(key, generation.model, request, JSON.stringify(generation), new Date().toISOString());
    } catch (error) {
      throw cacheError(error, this.path);
    }
  }

  get size(): number {
    return (this.#database.prepare('SELECT count(*) AS n FROM responses').get() as { n: number }).n;
  }

  close(): void {
    if (this.#database.open) this.#database.close();
  }
}
