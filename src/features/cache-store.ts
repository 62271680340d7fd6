// Where cache() keeps answers: the store contract, the stored entry, and the bounded memory store
// (the default). Pure and runtime-neutral: Node, Bun, Deno and workerd alike. The Redis store that
// shares entries across a fleet is src/integrations/redis-cache.ts.

/**
 * One stored answer (one variant of one resource for one credential identity), as RFC 9111 needs
 * it to judge freshness and to revalidate. It never carries a secret: no request URL, no secret
 * request header (a `Vary`'d secret header is kept as a keyed hash), and none of the response
 * headers the client's redaction rules call secret (`Set-Cookie`, `X-API-Key`, …). Immutable:
 * cache() builds a new entry instead of changing one.
 *
 * @example
 * const entry: CacheEntry = { status: 200, headers: [['etag', '"v1"']], body: new Uint8Array(), requestTime: 0, responseTime: 0, vary: {} }
 */
export type CacheEntry = {
  readonly status: number
  /** The response's headers, names in lower case, secret ones left out. */
  readonly headers: ReadonlyArray<readonly [string, string]>
  /** The body's bytes, decoded (no `Content-Encoding` left on them). */
  readonly body: Uint8Array
  /** Epoch ms when the request that got this answer was sent (RFC 9111 §4.2.3's request_time). */
  readonly requestTime: number
  /** Epoch ms when its answer arrived (§4.2.3's response_time). */
  readonly responseTime: number
  /**
   * The request's values of the headers the answer's `Vary` names (lower case), `null` where the
   * request had none; a secret header's value as its keyed hash.
   */
  readonly vary: Readonly<Record<string, string | null>>
}

/**
 * Where cache() keeps entries. A resource's entries live under one `key` (a keyed hash of method
 * and URL), one `field` per credential identity (its keyed hash) holding that identity's variants,
 * so an unsafe method can drop every identity's copy at once (`invalidate`), while a lookup only
 * ever sees its own identity's. Keys and fields are opaque strings of letters, digits, `:`, `-`
 * and `_`.
 *
 * @example
 * cache({ store: createMemoryCacheStore({ maxBytes: 64 * 1024 * 1024 }) })
 */
export type CacheStore = {
  /**
   * `true` when other processes read what this one writes (Redis): cache() then needs the
   * deployment's `key` to hash identities with, the same in every process.
   */
  readonly shared: boolean
  /** The variants stored for `key` and `field`, or `undefined`. */
  get(key: string, field: string): Promise<readonly CacheEntry[] | undefined>
  /** Stores the variants for `key` and `field` for `ttlMs` (replacing what was there). */
  set(key: string, field: string, entries: readonly CacheEntry[], ttlMs: number): Promise<void>
  /** Drops every field of `key` (RFC 9111 §4.4: an unsafe method changed the resource). */
  invalidate(key: string): Promise<void>
  /**
   * Takes the fetch lock for `name` for at most `ttlMs`; resolves to its release, or to
   * `undefined` when another holder has it (a holder that dies loses it when it lapses).
   */
  lock(name: string, ttlMs: number): Promise<(() => Promise<void>) | undefined>
}
