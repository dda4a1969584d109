/**
 * Progress on stderr for steps that can run longer than a few seconds: a redrawn bar on a TTY, plain
 * lines (at most one every 10 s) otherwise, nothing with --quiet. Also a measurer wrapper that shows each
 * interleaved measurement call against its time budget, so every command that measures reports progress.
 */
import type { Measurer } from '../measure/types';
import type { Progress, ProgressTask } from './types';

export interface ProgressStream {
  write(text: string): void;
  isTTY?: boolean;
}

const secs = (ms: number) => `${Math.round(ms / 1000)} s`;

export function streamProgress(stream: ProgressStream, clock: () => number = Date.now, lineEveryMs = 10_000): Progress {
  return {
    start(label, total, unit = '') {
      const started = clock();
      let lastLine = started;
      let drawn = false;
      const status = (done: number, note?: string) => {
        const elapsed = clock() - started;
        // Against a time budget the count is the clock: one clock and the budget once ("11 of 20 s budget").
        if (unit === 's' && total > 0) {
          const count = `${Math.min(done, total)} of ${total} s budget`;
          return { count, text: `${count}${note ? ` · ${note}` : ''}` };
        }
        const count = total > 0 ? `${Math.min(done, total)}/${total}${unit ? ' ' + unit : ''}` : `${done}${unit ? ' ' + unit : ''}`;
        const eta = total > 0 && done > 0 && done < total ? ` · ~${secs((elapsed / done) * (total - done))} left` : '';
        return { count, text: `${count} · ${secs(elapsed)}${eta}${note ? ` · ${note}` : ''}` };
      };
      if (!stream.isTTY) stream.write(`${label}: started${total > 0 ? ` (${total}${unit === 's' ? ' s budget' : unit ? ' ' + unit : ''})` : ''}\n`);
      const task: ProgressTask = {
        update(done, note) {
          const s = status(done, note);
          if (stream.isTTY) {
            const width = 24;
            const filled = total > 0 ? Math.round((Math.min(done, total) / total) * width) : 0;
            const bar = total > 0 ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` : '';
            stream.write(`\r\x1b[2K${label} ${bar}${s.text}`.slice(0, 200));
            drawn = true;
          } else if (clock() - lastLine >= lineEveryMs) {
            lastLine = clock();
            stream.write(`${label}: ${s.text}\n`);
          }
        },
        end(note) {
          if (drawn) stream.write('\r\x1b[2K');
          stream.write(`${label}: done in ${secs(clock() - started)}${note ? ` · ${note}` : ''}\n`);
        },
      };
      return task;
    },
  };
}

/** Shows each measure() call as a step against its time budget (the measurer decides when it has enough). */
export function withMeasureProgress(measurer: Measurer, progress: Progress, tickMs = 1000): Measurer {
  return {
    ready: (options) => measurer.ready?.(options),
    async measure(models, options) {
      // The diagnosis (a provider that cannot load here) before any "started" line.
      measurer.ready?.(options);
      const budget = options?.budgetSeconds;
      const task = progress.start(`measuring ${models.length} model${models.length === 1 ? '' : 's'} side by side`, budget ? Math.ceil(budget) : 0, 's');
      const started = Date.now();
      const timer = setInterval(() => task.update(Math.floor((Date.now() - started) / 1000)), tickMs);
      timer.unref?.();
      try {
        const result = await measurer.measure(models, options);
        task.end(`${result.rounds} rounds${result.budget_exhausted ? ', budget spent before the precision target' : ''}`);
        return result;
      } finally {
        clearInterval(timer);
      }
    },
  };
}
