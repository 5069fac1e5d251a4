import { InvalidInputError } from '@confide/core';
import type { Entry, ZipFile } from 'yauzl';

/** Where a value was read in a zip: the archive's path and the entry, as errors name it. */
export function zipEntryPlace(path: string, entry: string): string {
  return `${path} (zip entry ${entry})`;
}

/**
 * A zip archive read through yauzl: its central directory once (names and sizes, not contents), then one entry at a
 * time on demand, inflated with its size and CRC checked. An archive cut short or corrupt fails naming the file (and
 * the entry), as an INVALID_INPUT error.
 */
export class ZipArchive {
  private constructor(
    readonly path: string,
    readonly zip: ZipFile,
    readonly entries: ReadonlyMap<string, Entry>,
  ) {}

  static async open(path: string): Promise<ZipArchive> {
    // imported here, when an archive is opened, not by every command that imports @confide/data
    const { default: yauzl } = await import('yauzl');
    const zip = await new Promise<ZipFile>((resolve, reject) =>
      yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (error, file) =>
        error ? reject(new InvalidInputError({ file: path, problem: `not a readable zip archive, or cut short (${error.message})` })) : resolve(file),
      ),
    );
    const entries = new Map<string, Entry>();
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: Entry) => {
        if (!entry.fileName.endsWith('/')) entries.set(entry.fileName, entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (error: Error) => reject(new InvalidInputError({ file: path, problem: `zip directory unreadable (${error.message})` })));
      zip.readEntry();
    });
    return new ZipArchive(path, zip, entries);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** One entry's bytes as UTF-8 text (the entry alone is held, never the archive). */
  async text(name: string): Promise<string> {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new InvalidInputError({ file: this.path, problem: `the archive has no entry ${name}` });
    const place = zipEntryPlace(this.path, name);
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      this.zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(new InvalidInputError({ file: place, problem: `entry unreadable (${error.message})` }));
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve());
        stream.on('error', (streamError: Error) => reject(new InvalidInputError({ file: place, problem: `entry is cut short or corrupt (${streamError.message})` })));
      });
    });
    return Buffer.concat(chunks).toString('utf8');
  }

  /** One entry parsed as JSON; a parse failure names the entry. */
  async json(name: string): Promise<unknown> {
    const text = await this.text(name);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new InvalidInputError({ file: zipEntryPlace(this.path, name), problem: `not JSON (${(error as Error).message})` });
    }
  }

  close(): void {
    this.zip.close();
  }
}
