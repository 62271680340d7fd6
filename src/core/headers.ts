import { Headers as PlatformHeaders } from '#headers'

/**
 * The Headers class requests are built with: on Node undici's own, the one its fetch and Request
 * know (see `src/node/headers.ts`: a measured choice); elsewhere the platform's.
 */
export const Headers: typeof globalThis.Headers = PlatformHeaders

const READ_ONLY =
  'request.headers is read-only: to change the headers, pass a copy on — ' +
  'const headers = new Headers(request.headers); headers.set(name, value); return next({ ...request, headers })'

/**
 * A request's headers, read-only once built. The model already asks a middleware to pass changed
 * headers on as a copy (`{ ...request, headers }`), so that a retry never carries what an inner
 * middleware added to the last attempt; a change in place now fails and says so, instead of
 * leaking into the next attempt. Being read-only they can be shared and their wire form kept: a
 * call with neither headers nor a body of its own carries the client's instance, made once, and
 * the undici core sends that instance's flat list as it is (no copy, no re-read per request).
 * Its iterator is undici's own, so undici's fetch still copies it from the internal list.
 */
export class RequestHeaders extends Headers {
  #sealed = false
  #flat: readonly string[] | undefined

  /** Makes these headers read-only; returns them. */
  seal(): this {
    this.#sealed = true
    return this
  }

  override set(name: string, value: string): void {
    if (this.#sealed) throw new TypeError(READ_ONLY)
    super.set(name, value)
  }

  override append(name: string, value: string): void {
    if (this.#sealed) throw new TypeError(READ_ONLY)
    super.append(name, value)
  }

  override delete(name: string): void {
    if (this.#sealed) throw new TypeError(READ_ONLY)
    super.delete(name)
  }

  /** Whether these headers are read-only: what is worked out from them may be kept with them. */
  get sealed(): boolean {
    return this.#sealed
  }

  /** undici's flat `[name, value, …]` list, made once for sealed headers (frozen: it is shared). */
  flat(): readonly string[] {
    if (this.#flat) return this.#flat
    const list = flatten(this)
    if (this.#sealed) this.#flat = Object.freeze(list)
    return list
  }
}

/** Headers as undici's flat `[name, value, …]` list: cheaper for it than walking a Headers object. */
export function flatHeaders(headers: globalThis.Headers): readonly string[] {
  return headers instanceof RequestHeaders ? headers.flat() : flatten(headers)
}

function flatten(headers: globalThis.Headers): string[] {
  const list: string[] = []
  for (const [name, value] of headers) list.push(name, value)
  return list
}

/** True for a Headers of any realm: Node's global class, undici's npm copy, a polyfill's. */
export function isHeaders(value: unknown): value is globalThis.Headers {
  return (
    value instanceof globalThis.Headers ||
    value instanceof PlatformHeaders ||
    (typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object Headers]')
  )
}
