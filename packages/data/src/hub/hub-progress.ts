/** What a hub transfer reports while it runs. */
export type HubProgressEvent =
  | { kind: 'resolve'; repo: string; revision: string; commit: string; cached: boolean }
  | { kind: 'download'; repo: string; path: string; bytes: number; totalBytes: number }
  | { kind: 'cached'; repo: string; path: string; totalBytes: number }
  | { kind: 'upload'; repo: string; path: string; fraction: number; state: 'hashing' | 'uploading' }
  | { kind: 'commit'; repo: string; commit: string };

export type HubProgressListener = (event: HubProgressEvent) => void;

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * A listener that writes progress lines to a stream (stderr by default): one line when a transfer starts and ends,
 * and in between at most one line per `intervalMs` per file, so a slow download shows it is alive without flooding logs.
 */
export function progressLineWriter(
  write: (line: string) => void = (line) => void process.stderr.write(`${line}\n`),
  intervalMs = 1000,
  now: () => number = Date.now,
): HubProgressListener {
  const lastWritten = new Map<string, number>();
  return (event) => {
    switch (event.kind) {
      case 'resolve':
        write(`hub: ${event.repo}@${event.revision} is commit ${event.commit}${event.cached ? ' (cached ref; --refresh asks the hub again)' : ''}`);
        return;
      case 'cached':
        write(`hub: ${event.path} (${formatBytes(event.totalBytes)}) from cache`);
        return;
      case 'commit':
        write(`hub: committed ${event.commit} to ${event.repo}`);
        return;
      case 'download':
      case 'upload': {
        const key = `${event.kind} ${event.path}`;
        const done = event.kind === 'download' ? event.bytes === event.totalBytes : event.fraction >= 1;
        const started = !lastWritten.has(key);
        const time = now();
        if (!started && !done && time - lastWritten.get(key)! < intervalMs) return;
        lastWritten.set(key, time);
        if (event.kind === 'download') {
          const percent = event.totalBytes === 0 ? 100 : Math.floor((event.bytes / event.totalBytes) * 100);
          write(`hub: downloading ${event.path} ${percent}% (${formatBytes(event.bytes)} of ${formatBytes(event.totalBytes)})`);
        } else {
          write(`hub: ${event.state} ${event.path} ${Math.floor(event.fraction * 100)}%`);
        }
        if (done) lastWritten.delete(key);
        return;
      }
    }
  };
}
