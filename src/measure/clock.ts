/** The time source, behind an interface so the scheduler is tested on a synthetic device. */
export interface Clock {
  /** Monotonic time in milliseconds (sub-microsecond resolution on the real clock). */
  now(): number;
}

export const hrClock: Clock = {
  now: () => Number(process.hrtime.bigint()) / 1e6,
};
