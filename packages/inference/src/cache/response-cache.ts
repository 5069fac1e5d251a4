import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Generation } from '@confide/core';
import Database from 'better-sqlite3';
import { canonicalJson } from '../request-key.js';

/**
 * A content-addressed cache of model answers in SQLite: key = SHA-256 of the normalised request (never credentials),
 * value = the Generation. Only successful answers are stored. WAL journaling, so a killed process loses at most the
 * write in progress and never corrupts earlier ones.
 */
export class ResponseCache {
  readonly #database: Database.Database;
  readonly #get: Database.Statement<[string], { generation: string }>;
  readonly #put: Database.Statement<[string, string, string, string, string]>;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#database = new Database(path);
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
    this.#put.run(key, generation.model, request, JSON.stringify(generation), new Date().toISOString());
  }

  get size(): number {
    return (this.#database.prepare('SELECT count(*) AS n FROM responses').get() as { n: number }).n;
  }

  close(): void {
    if (this.#database.open) this.#database.close();
  }
}
