import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';

/** Failed logins allowed per account in one window. */
const ACCOUNT_POINTS = 5;
/**
 * Failed logins allowed per IP address in one window. Higher than per
 * account because an office of staff, or many clients behind one NAT,
 * share an address.
 */
const IP_POINTS = 20;
const WINDOW_SECONDS = 15 * 60;

/**
 * Counts failed logins per account and per IP address in memory, to slow
 * down password guessing.
 *
 * NOTE: the counters live in this process; several relay processes behind
 * one load balancer would each allow the full budget.
 */
export class LoginLimiter {
  private readonly byAccount = new RateLimiterMemory({
    keyPrefix: 'login-account',
    points: ACCOUNT_POINTS,
    duration: WINDOW_SECONDS,
  });
  private readonly byIp = new RateLimiterMemory({
    keyPrefix: 'login-ip',
    points: IP_POINTS,
    duration: WINDOW_SECONDS,
  });

  /**
   * Returns the seconds to wait when the account or the IP address has
   * used up its failures, otherwise undefined.
   */
  async retryAfter(email: string, ip: string): Promise<number | undefined> {
    const [account, address] = await Promise.all([
      this.byAccount.get(email.toLowerCase()),
      this.byIp.get(ip),
    ]);
    const waits = [
      blockedMs(account, ACCOUNT_POINTS),
      blockedMs(address, IP_POINTS),
    ].filter((ms): ms is number => ms !== undefined);
    if (waits.length === 0) return undefined;
    return Math.max(1, Math.ceil(Math.max(...waits) / 1000));
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await Promise.all([
      consumeQuietly(this.byAccount, email.toLowerCase()),
      consumeQuietly(this.byIp, ip),
    ]);
  }

  /** Forgets an account's failures after a successful login. */
  async recordSuccess(email: string): Promise<void> {
    await this.byAccount.delete(email.toLowerCase());
  }
}

function blockedMs(
  state: RateLimiterRes | null,
  points: number,
): number | undefined {
  if (!state || state.consumedPoints < points) return undefined;
  return state.msBeforeNext;
}

/** consume() rejects once the budget is spent; that is expected here. */
async function consumeQuietly(
  limiter: RateLimiterMemory,
  key: string,
): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (rejection instanceof Error) throw rejection;
  }
}
