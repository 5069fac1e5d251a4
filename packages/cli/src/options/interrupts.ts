/**
 * Ctrl-C for long commands, one way for all of them: the first SIGINT says what happens and aborts `stop` (no new
 * work; what is in flight finishes and is written), the second aborts `abandon` (requests in flight are cancelled).
 * `run` is called with both signals; the handler is removed when it ends.
 */
export async function withInterrupts<Result>(
  firstMessage: string,
  run: (signals: { stop: AbortSignal; abandon: AbortSignal }) => Promise<Result>,
  say: (text: string) => void = (text) => process.stderr.write(`\n${text}\n`),
): Promise<Result> {
  const stop = new AbortController();
  const abandon = new AbortController();
  const onInterrupt = () => {
    if (!stop.signal.aborted) {
      say(firstMessage);
      stop.abort();
    } else {
      abandon.abort();
    }
  };
  process.on('SIGINT', onInterrupt);
  try {
    return await run({ stop: stop.signal, abandon: abandon.signal });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
