/**
 * Runs `work` after `firstDelayMs`, then `intervalMs` after each run ends (never two at once);
 * its timer never keeps the process alive. What `work` throws is its own to report.
 */
export function startRepeatingJob(firstDelayMs: number, intervalMs: number, work: () => Promise<void>): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (ms: number) => {
    timer = setTimeout(() => void work().catch(() => {}).finally(() => { if (!stopped) schedule(intervalMs); }), ms);
    timer.unref();
  };
  schedule(firstDelayMs);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
