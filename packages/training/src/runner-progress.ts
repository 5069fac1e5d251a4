import type { RunnerProgressEvent } from './runner-events.js';

/** What a progress display needs, from either command. */
export interface RunnerProgress {
  phase: RunnerProgressEvent['phase'];
  step: number;
  totalSteps: number | null;
  epoch: number | null;
  epochs: number | null;
  loss: number | null;
  tokensPerSecond: number | null;
  elapsedSeconds: number | null;
  etaSeconds: number | null;
  message: string | null;
}

export function toRunnerProgress(event: RunnerProgressEvent): RunnerProgress {
  return {
    phase: event.phase,
    step: event.step,
    totalSteps: event.totalSteps,
    epoch: event.epoch ?? null,
    epochs: event.epochs ?? null,
    loss: event.loss ?? null,
    tokensPerSecond: event.tokensPerSecond ?? null,
    elapsedSeconds: event.elapsedSeconds ?? null,
    etaSeconds: event.etaSeconds ?? null,
    message: event.message ?? null,
  };
}

export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** One line for a terminal: `train epoch 1.20/5 step 12/120 [##........] 10% loss 1.2345 1,234 tok/s ETA 3m 12s`. */
export function formatRunnerProgress(progress: RunnerProgress, width = 20): string {
  if (progress.phase === 'load') return `load ${progress.message ?? ''}`.trimEnd();
  const parts: string[] = [progress.phase];
  if (progress.epoch !== null && progress.epochs !== null) {
    parts.push(`epoch ${progress.epoch.toFixed(2)}/${progress.epochs}`);
  }
  if (progress.totalSteps !== null && progress.totalSteps > 0) {
    const fraction = progress.step / progress.totalSteps;
    parts.push(`${progress.phase === 'train' ? 'step ' : ''}${progress.step}/${progress.totalSteps}`);
    parts.push(bar(fraction, width), `${Math.floor(fraction * 100)}%`);
  } else {
    parts.push(`${progress.phase === 'train' ? 'step ' : ''}${progress.step}`);
  }
  if (progress.loss !== null) parts.push(`loss ${progress.loss.toFixed(4)}`);
  if (progress.tokensPerSecond !== null) parts.push(`${Math.round(progress.tokensPerSecond).toLocaleString('en-US')} tok/s`);
  if (progress.etaSeconds !== null) parts.push(`ETA ${formatDuration(progress.etaSeconds)}`);
  return parts.join(' ');
}
