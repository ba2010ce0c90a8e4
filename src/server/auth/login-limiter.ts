/** Limits of failed authentications per client address. */
export interface LoginLimitOptions {
  /** Failed authentications one address may make in a window before it is blocked. */
  maxFailures: number;
  /** Length of the window in seconds, counted from the address's first failure in it. */
  windowSeconds: number;
  /**
   * Addresses tracked at once. When full, the address whose window started first is
   * dropped, so memory stays at about this many small entries (under 100 bytes each).
   */
  maxAddresses: number;
}

export const DEFAULT_LOGIN_LIMIT: LoginLimitOptions = { maxFailures: 10, windowSeconds: 300, maxAddresses: 10_000 };

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * In-memory fixed windows of failed authentications per client address. An address
 * with `maxFailures` failures in its window is blocked until the window ends.
 * NOTE: per process, so each server process behind a load balancer counts on its own,
 * and a restart clears every count.
 */
export class LoginLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(readonly options: LoginLimitOptions = DEFAULT_LOGIN_LIMIT) {
    if (!(options.maxFailures >= 1 && options.windowSeconds > 0 && options.maxAddresses >= 1)) {
      throw new Error("invalid login limit: maxFailures and maxAddresses must be at least 1 and windowSeconds above 0");
    }
  }

  /** Returns the seconds until an address may try again, or undefined when it is not blocked. */
  blockedFor(address: string, now: number): number | undefined {
    const window = this.current(address, now);
    if (window === undefined || window.failures < this.options.maxFailures) return undefined;
    const remainingMs = window.startedAt + this.options.windowSeconds * 1000 - now;
    return Math.max(1, Math.ceil(remainingMs / 1000));
  }

  /** Counts one failed authentication of an address. */
  recordFailure(address: string, now: number): void {
    const window = this.current(address, now);
    if (window !== undefined) {
      window.failures += 1;
      return;
    }
    if (this.windows.size >= this.options.maxAddresses) this.evictOldest(now);
    this.windows.set(address, { startedAt: now, failures: 1 });
  }

  /** Number of addresses tracked now. */
  get size(): number {
    return this.windows.size;
  }

  private current(address: string, now: number): Window | undefined {
    const window = this.windows.get(address);
    if (window === undefined) return undefined;
    if (now - window.startedAt >= this.options.windowSeconds * 1000) {
      this.windows.delete(address);
      return undefined;
    }
    return window;
  }

  /** Drops expired windows, then the oldest one if none had expired; the Map keeps insertion order, which is start order. */
  private evictOldest(now: number): void {
    for (const [address, window] of this.windows) {
      if (now - window.startedAt < this.options.windowSeconds * 1000) break;
      this.windows.delete(address);
    }
    if (this.windows.size < this.options.maxAddresses) return;
    const oldest = this.windows.keys().next();
    if (oldest.done !== true) this.windows.delete(oldest.value);
  }
}
