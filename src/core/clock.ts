/** Time as an argument, so tests can move it (expiry, idle timeouts) without sleeping. */
export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };
