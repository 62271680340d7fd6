// Shared option handling: explicit `undefined` means "the default", unknown keys fail with a
// suggestion, and no time value can overflow a timer. Every factory and createClient use these.

/**
 * The longest wait a JavaScript timer can hold (2³¹−1 ms, about 24.8 days). `setTimeout` fires at
 * once past it (Node warns `TimeoutOverflowWarning`), so longer values are refused where set.
 */
export const MAX_TIMER_MS = 2_147_483_647

/**
 * Checks a time in milliseconds that a timer will wait: a number from 0 (or above 0, with
 * `zero: false`) up to {@link MAX_TIMER_MS}. Returns it, or throws a `RangeError` that names the
 * limit: a longer wait would not wait at all.
 *
 * @example
 * checkMs('health: cooldown', 30_000, false) // 30000
 * checkMs('retry: maxDelay', 2 ** 31) // RangeError: retry: maxDelay must be a number of milliseconds >= 0 and <= 2147483647 …
 */
export function checkMs(what: string, value: unknown, zero = true): number {
  if (typeof value === 'number' && (zero ? value >= 0 : value > 0) && value <= MAX_TIMER_MS) return value
  throw new RangeError(
    `${what} must be a number of milliseconds ${zero ? '>= 0' : '> 0'} and <= ${MAX_TIMER_MS} (about 24.8 days, the longest a timer can wait), got ${describe(value)}`,
  )
}

type Defined<T> = { [K in keyof T]-?: Exclude<T[K], undefined> }

/**
 * `defaults` with every option the caller set. An option set to `undefined` keeps its default, as
 * JavaScript callers and TypeScript projects without `exactOptionalPropertyTypes` mean it.
 *
 * @example
 * withDefaults({ maxRetries: 3 }, { maxRetries: undefined }) // { maxRetries: 3 }
 */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O | undefined): Defined<D> & O {
  const merged = { ...defaults } as Record<string, unknown>
  if (options) for (const [key, value] of Object.entries(options)) if (value !== undefined) merged[key] = value
  return merged as Defined<D> & O
}

/**
 * Throws a `TypeError` unless `options` is `undefined` or a plain options object whose keys are
 * all in `known`; an unknown key is named with the nearest known one ("did you mean …?").
 *
 * @example
 * checkKeys('retry', { maxRetry: 3 }, ['maxRetries', 'delay']) // TypeError: retry: unknown option "maxRetry"; did you mean "maxRetries"?
 */
export function checkKeys(what: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${what} options must be an object such as { ${known[0]}: … }, got ${describe(options)}`)
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue
    const near = suggest(key, known)
    throw new TypeError(`${what}: unknown option "${key}"${near ? `; did you mean "${near}"?` : `; known: ${known.join(', ')}`}`)
  }
}

/**
 * The known name closest to `key`, if `key` looks like a typo of it: a few letters changed (at
 * most 2, and a third of the word), or the same start (`retries` → `retry`, `maxRetry` → `maxRetries`).
 */
export function suggest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const name of known) {
    const candidate = name.toLowerCase()
    const distance = candidate === lower ? 0 : editDistance(lower, candidate)
    const close = distance <= Math.min(2, Math.ceil(key.length / 3)) || sameStart(lower, candidate)
    if (close && distance < bestDistance) {
      best = name
      bestDistance = distance
    }
  }
  return best
}

/** Whether two names share a start of at least 4 letters, covering most of the shorter one. */
function sameStart(a: string, b: string): boolean {
  let n = 0
  while (n < a.length && n < b.length && a[n] === b[n]) n++
  return n >= 4 && n >= 0.6 * Math.min(a.length, b.length)
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[]
    const up = rows[i - 1] as number[]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, ((rows[i - 2] as number[])[j - 2] as number) + 1)
      row[j] = value
    }
  }
  return (rows[a.length] as number[])[b.length] as number
}

/** A short description of a bad value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'object') return value.constructor?.name ? `a ${value.constructor.name}` : 'an object'
  return typeof value
}

/** Bytes as people read them: `33554432 bytes (32 MiB)`. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} bytes`
  const [unit, size] = n >= 1024 ** 3 ? ['GiB', n / 1024 ** 3] : n >= 1024 ** 2 ? ['MiB', n / 1024 ** 2] : ['KiB', n / 1024]
  return `${n} bytes (${Number(size.toFixed(1))} ${unit})`
}
