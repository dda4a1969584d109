/**
 * The measuring child's entry (./child.ts has the parent's side): serve one measure call, then exit. The
 * action's bundle runs this through src/index.ts when FRONTIER_GATE_MEASURE_CHILD is set.
 */
import { createMeasurer } from './index';
import type { FromChild, ToChild } from './child';
import { DEFAULT_MEASURE_OPTIONS } from './types';

/** The child's side: serve one measure call from the parent, then exit. */
export function serveMeasureChild(): void {
  const send = (msg: FromChild) => process.send?.(msg);
  let lastTick = 0;
  process.once('message', async (raw: unknown) => {
    const msg = raw as ToChild;
    let timed = false;
    const measurer = createMeasurer({
      log: (line) => send({ type: 'log', line }),
      tick: (phase) => {
        // At most 20 heartbeats a second: rounds of a tiny model would otherwise flood the channel.
        const now = Date.now();
        if (phase === 'timed' && !timed) timed = true;
        else if (now - lastTick < 50) return;
        lastTick = now;
        send({ type: 'tick', phase });
      },
      inProcess: true,
    });
    try {
      // The budget counts from the parent's call: starting this process is part of it.
      const spent = (Date.now() - msg.startedAt) / 1000;
      const budgetSeconds = Math.max(0.1, (msg.options?.budgetSeconds ?? DEFAULT_MEASURE_OPTIONS.budgetSeconds) - spent);
      const result = await measurer.measure(msg.models, { ...msg.options, budgetSeconds });
      send({ type: 'result', result });
    } catch (err) {
      const e = err as Error & { exitCode?: number };
      send({ type: 'error', name: e?.name ?? 'Error', message: e?.message ?? String(err), exitCode: e?.exitCode, stack: e?.stack });
    }
    process.disconnect?.();
  });
}

if (require.main === module) serveMeasureChild();
