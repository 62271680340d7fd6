// The response-size limit: how many bytes of an answer's body, counted after its content coding is
// undone, a call reads before it gives up. Both cores enforce it (src/cores/fetch.ts through
// src/cores/counted.ts, src/node/cores/exchange.ts on the undici core); this file holds what they share.
import { describe } from '../core/options.js'

/**
 * The most bytes of a body, decoded, that a call reads unless the client or the call says
 * otherwise: 32 MiB. Well above any JSON or text answer of an API (a page of a listing is
 * kilobytes to a few megabytes), well below what hurts a process holding it three times (the bytes,
 * the string, the parsed value) — a Workers isolate has 128 MB in all. gRPC's clients refuse
 * messages over 4 MiB by default; JSON is several times protobuf. Downloads read as a stream are
 * not limited unless the call asks. See docs/reference.md, "Response size", for the comparison with peers.
 */
export const MAX_RESPONSE_SIZE = 32 * 1024 * 1024

/**
 * A `maxResponseSize` option, checked: a whole number of bytes > 0, or `Infinity` for no limit;
 * `undefined` gives `fallback`. `0` and `-1` are refused: elsewhere they mean "no limit"
 * (node-fetch's `size: 0`, axios's and undici's `-1`), here they would read as "nothing".
 *
 * @example
 * checkMaxResponseSize('maxResponseSize', undefined, MAX_RESPONSE_SIZE) // 33554432
 * checkMaxResponseSize('maxResponseSize', Infinity, MAX_RESPONSE_SIZE) // Infinity
 * checkMaxResponseSize('maxResponseSize', 0, MAX_RESPONSE_SIZE) // RangeError: … pass Infinity for no limit
 */
export function checkMaxResponseSize<F extends number | undefined>(what: string, value: unknown, fallback: F): number | F {
  if (value === undefined) return fallback
  if (value === Number.POSITIVE_INFINITY || (typeof value === 'number' && Number.isSafeInteger(value) && value > 0)) return value
  const off = value === 0 || value === -1 ? `; ${value} does not turn the limit off here: pass Infinity for no limit` : ''
  throw new RangeError(
    `${what} must be a whole number of bytes > 0 (the most an answer's body may decode to, e.g. 64 * 1024 * 1024), or Infinity for no limit, got ${describe(value)}${off}`,
  )
}
