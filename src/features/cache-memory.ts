// The default cache() store: this process's memory, bounded by bytes and by entries, least
// recently used out first. Runtime-neutral (Node, Bun, Deno, workerd).
import { checkKeys } from '../core/options.js'
import type { CacheEntry, CacheStore } from './cache-store.js'

/**
 * Options of {@link createMemoryCacheStore}.
 *
 * @example
 * createMemoryCacheStore({ maxBytes: 64 * 1024 * 1024, maxEntries: 5_000, maxEntryBytes: 2 * 1024 * 1024 })
 */
export type MemoryCacheStoreOptions = {
  /** The most bytes all entries may take (bodies, headers, bookkeeping). @default 32 MiB */
  maxBytes?: number
  /** The most stored variants. @default 10_000 */
  maxEntries?: number
  /** A variant larger than this is not stored at all. @default 1 MiB, capped at maxBytes */
  maxEntryBytes?: number
  /** The clock, for tests. @default Date.now */
  now?: () => number
}

/** The memory store, with its current size for metrics and tests. */
export type MemoryCacheStore = CacheStore & {
  /** Bytes the stored variants take now (an estimate: bodies exactly, headers as UTF-16). */
  readonly bytes: number
  /** Stored variants now. */
  readonly entries: number
}

type Slot = { key: string; field: string; entries: readonly CacheEntry[]; expires: number; bytes: number }

/** Bookkeeping charged to every variant on top of its body and headers. */
const OVERHEAD = 256

function sizeOf(entry: CacheEntry): number {
  let bytes = OVERHEAD + entry.body.byteLength
  for (const [name, value] of entry.headers) bytes += 2 * (name.length + value.length) + 32
  for (const [name, value] of Object.entries(entry.vary)) bytes += 2 * (name.length + (value?.length ?? 0)) + 32
  return bytes
}

function count(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value
  throw new RangeError(`createMemoryCacheStore: ${name} must be a whole number above 0, got ${String(value)}`)
}

/**
 * A {@link CacheStore} in this process's memory, the default of `cache()`. It never holds more
 * than `maxBytes` nor more than `maxEntries` variants: storing past either evicts the least
 * recently used first, and a variant over `maxEntryBytes` is not stored. Expired entries go on
 * lookup and when evicted.
 *
 * @example
 * const client = createClient({ baseURL, middleware: [cache({ store: createMemoryCacheStore({ maxBytes: 8 << 20 }) })] })
 */
export function createMemoryCacheStore(options: MemoryCacheStoreOptions = {}): MemoryCacheStore {
  checkKeys('createMemoryCacheStore', options, ['maxBytes', 'maxEntries', 'maxEntryBytes', 'now'])
  const maxBytes = count('maxBytes', options.maxBytes, 32 * 1024 * 1024)
  const maxEntries = count('maxEntries', options.maxEntries, 10_000)
  const maxEntryBytes = Math.min(count('maxEntryBytes', options.maxEntryBytes, 1024 * 1024), maxBytes)
  const now = options.now ?? Date.now
  // Each key's fields, and every slot in recency order (a touched slot moves to the end): slots
  // are found by key and field without building a string per call, and ordered by identity.
  const fields = new Map<string, Map<string, Slot>>()
  const order = new Set<Slot>()
  const locks = new Map<string, { owner: symbol; expires: number }>()
  let bytes = 0
  let entries = 0

  function drop(slot: Slot): void {
    if (!order.delete(slot)) return
    bytes -= slot.bytes
    entries -= slot.entries.length
    const set = fields.get(slot.key)
    set?.delete(slot.field)
    if (set?.size === 0) fields.delete(slot.key)
  }

  return {
    shared: false,
    get bytes() {
      return bytes
    },
    get entries() {
      return entries
    },
    async get(key, field) {
      const slot = fields.get(key)?.get(field)
      if (!slot) return undefined
      if (slot.expires <= now()) {
        drop(slot)
        return undefined
      }
      order.delete(slot) // most recently used: to the end
      order.add(slot)
      return slot.entries
    },
    async set(key, field, stored, ttlMs) {
      const old = fields.get(key)?.get(field)
      if (old) drop(old)
      const kept = stored.filter((entry) => sizeOf(entry) <= maxEntryBytes).slice(-maxEntries)
      if (kept.length === 0 || ttlMs <= 0) return
      const size = kept.reduce((sum, entry) => sum + sizeOf(entry), 0)
      for (const oldest of order) {
        if (bytes + size <= maxBytes && entries + kept.length <= maxEntries) break
        drop(oldest)
      }
      if (bytes + size > maxBytes) return
      const slot: Slot = { key, field, entries: kept, expires: now() + ttlMs, bytes: size }
      let set = fields.get(key)
      if (!set) fields.set(key, (set = new Map()))
      set.set(field, slot)
      order.add(slot)
      bytes += size
      entries += kept.length
    },
    async invalidate(key) {
      for (const slot of [...(fields.get(key)?.values() ?? [])]) drop(slot)
    },
    async lock(name, ttlMs) {
      const held = locks.get(name)
      if (held && held.expires > now()) return undefined
      const owner = Symbol(name)
      locks.set(name, { owner, expires: now() + ttlMs })
      return async () => {
        if (locks.get(name)?.owner === owner) locks.delete(name)
      }
    },
  }
}
