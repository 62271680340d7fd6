import { checkKeys, checkMs } from '../core/options.js'
import { sleep } from '../request/signal.js'

/**
 * Where tokens live: this process (the default) or a store shared by many (Redis, see
 * `fetchline-http/redis`). Values are opaque strings; TTLs in milliseconds.
 *
 * @example
 * const store: TokenStore = createMemoryTokenStore()
 */
export type TokenStore = {
  get(key: string): Promise<string | undefined>
  set(key: string, value: string, ttlMs: number): Promise<void>
  /** Deletes `key` only while it still holds `value` (a newer token is kept). */
  deleteIf(key: string, value: string): Promise<void>
  /**
   * Takes the refresh lock for `key` for at most `ttlMs`; resolves to a release function, or to
   * `undefined` when another holder has it. A holder that dies loses the lock when it expires.
   */
  lock(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined>
}

/**
 * A {@link TokenStore} in this process's memory: tokens and locks with expiry.
 *
 * @example
 * const tokens = createTokenCache({ key: 'vendor:token', fetchToken, store: createMemoryTokenStore() })
 */
export function createMemoryTokenStore(now: () => number = Date.now): TokenStore {
  const values = new Map<string, { value: string; expires: number }>()
  const locks = new Map<string, { owner: string; expires: number }>()
  return {
    async get(key) {
      const entry = values.get(key)
      if (entry && entry.expires > now()) return entry.value
      values.delete(key)
      return undefined
    },
    async set(key, value, ttlMs) {
      values.set(key, { value, expires: now() + ttlMs })
    },
    async deleteIf(key, value) {
      if (values.get(key)?.value === value) values.delete(key)
    },
    async lock(key, ttlMs) {
      const held = locks.get(key)
      if (held && held.expires > now()) return undefined
      const owner = crypto.randomUUID()
      locks.set(key, { owner, expires: now() + ttlMs })
      return async () => {
        if (locks.get(key)?.owner === owner) locks.delete(key)
      }
    },
  }
}

/** A token as a vendor issues it. */
export type IssuedToken = { token: string /** Seconds it stays valid. */; expiresIn: number }

/**
 * Options of {@link createTokenCache}.
 *
 * @example
 * createTokenCache({ key: 'wechat:wx123', fetchToken: async () => ({ token, expiresIn: 7200 }) })
 */
export type TokenCacheOptions<C = void> = {
  /** The store key: name the vendor and the account (`wechat:token:wx123`). */
  key: string
  /**
   * Fetches a fresh token from the vendor. It gets the `context` of the caller whose `get` or
   * `withToken` started the fetch (the others wait for it): a service client passes its
   * operation's client (`client.operation`), so a token fetched while `close()` waits is still sent.
   */
  fetchToken: (context: C) => Promise<IssuedToken>
  /** @default createMemoryTokenStore() */
  store?: TokenStore
  /** Refresh this many ms before the vendor's expiry, so no call carries a dying token. @default 300_000 */
  refreshMargin?: number
  /** How long a refresh may hold the lock before another instance may take over. @default 10_000 */
  lockTtl?: number
  /** How often an instance that lost the lock race looks for the winner's token. @default 50 */
  pollInterval?: number
}

/** An expiry-aware, single-flight token cache; see {@link createTokenCache}. */
export type TokenCache<C = void> = {
  /** A valid token: cached, or fetched once however many callers wait for it. */
  get(context: C): Promise<string>
  /** Drops `token` if it is still the current one (the vendor rejected it), then fetches anew. */
  refresh(rejected: string, context: C): Promise<string>
  /**
   * Runs `call` with a token; when `isRejected` says the vendor refused the token (expired,
   * revoked by another refresh), refreshes once and runs `call` once more — never in a loop.
   * `replay` is `false` on the first run, while a rejection is still recoverable (a service client
   * marks that failure as handled, so logs keep it below error), and `true` on the replay.
   */
  withToken<T>(call: (token: string, replay: boolean) => Promise<T>, isRejected: (error: unknown) => boolean, context: C): Promise<T>
}

/**
 * The reusable part of every token-based vendor client: tokens are cached until shortly before
 * they expire; concurrent callers share one fetch (in this process through a shared promise,
 * across processes through the store's lock, the losers waiting for the winner's token); a token
 * the vendor rejects is refreshed once and the call replayed once.
 *
 * @example
 * const tokens = createTokenCache({ key: `wechat:token:${appId}`, fetchToken: fetchWeChatToken })
 * await tokens.withToken((token) => send(token), (error) => isWeChatError(error) && error.errcode === 40001)
 */
export function createTokenCache<C = void>(options: TokenCacheOptions<C>): TokenCache<C> {
  checkKeys('createTokenCache', options, ['key', 'fetchToken', 'store', 'refreshMargin', 'lockTtl', 'pollInterval'])
  const { key, fetchToken } = options
  const store = options.store ?? createMemoryTokenStore()
  const margin = checkMs('createTokenCache: refreshMargin', options.refreshMargin ?? 300_000)
  const lockTtl = checkMs('createTokenCache: lockTtl', options.lockTtl ?? 10_000, false)
  const poll = checkMs('createTokenCache: pollInterval', options.pollInterval ?? 50, false)
  let inflight: Promise<string> | undefined

  async function fetchShared(context: C): Promise<string> {
    for (;;) {
      const cached = await store.get(key)
      if (cached !== undefined) return cached
      const release = await store.lock(`${key}:lock`, lockTtl)
      if (!release) {
        await sleep(poll) // another instance is refreshing: wait for its token, or for its lock to lapse
        continue
      }
      try {
        const again = await store.get(key) // it may have landed while we took the lock
        if (again !== undefined) return again
        const issued = await fetchToken(context)
        const ttl = Math.max(1_000, issued.expiresIn * 1000 - margin)
        await store.set(key, issued.token, ttl)
        return issued.token
      } finally {
        await release()
      }
    }
  }

  function get(context: C): Promise<string> {
    inflight ??= fetchShared(context).finally(() => {
      inflight = undefined
    })
    return inflight
  }

  async function refresh(rejected: string, context: C): Promise<string> {
    await store.deleteIf(key, rejected)
    return get(context)
  }

  async function withToken<T>(
    call: (token: string, replay: boolean) => Promise<T>,
    isRejected: (error: unknown) => boolean,
    context: C,
  ): Promise<T> {
    const token = await get(context)
    try {
      return await call(token, false)
    } catch (error) {
      if (!isRejected(error)) throw error
      return call(await refresh(token, context), true)
    }
  }

  return { get, refresh, withToken }
}
