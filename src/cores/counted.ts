// How the fetch core reads a body: from `response.body` itself, one chunk at a time, counting the
// bytes (decoded: fetch has undone the content coding by then), instead of `response.text()`,
// which reads all there is — a 4 GiB gzip bomb of 4 MB on the wire included. The same loop
// checks the attempt's deadline, which on Node's fetch ends when the last byte arrived, not when
// fetch finished decoding it.

import type { ClientRequest } from '../core/types.js'
import { MaxResponseSizeError, TimeoutError } from '../errors/errors.js'

/** A body read whole: its chunks as they came, and their length. */
export type Whole = { readonly chunks: Uint8Array[]; readonly size: number }

/** What bounds one read: the size limit (bytes) and the attempt's deadline (`performance.now()` ms). */
export type Bounds = { readonly limit: number; readonly at: number | undefined }

const NONE: Whole = { chunks: [], size: 0 }

/**
 * The body the answer's `Content-Length` says, when it counts the bytes read (no `Content-Encoding`:
 * fetch decodes an encoded body to a size the header does not give); `undefined` when unknown.
 */
export function declaredSize(headers: Headers): number | undefined {
  const length = headers.get('content-length')
  if (length === null || headers.has('content-encoding')) return undefined
  const n = Number(length)
  return Number.isSafeInteger(n) ? n : undefined
}

/**
 * Reads `response`'s body whole, or rejects with a {@link MaxResponseSizeError} as soon as it
 * passes `bounds.limit` (before the first byte when `Content-Length` says it will), or with a
 * {@link TimeoutError} once `bounds.at` has passed; either way the body is cancelled, which drops
 * the connection rather than reading the rest.
 *
 * @example
 * const { chunks, size } = await readWhole(response, request, { limit: 32 << 20, at: undefined })
 */
export async function readWhole(response: Response, request: ClientRequest, bounds: Bounds): Promise<Whole> {
  const body = response.body
  if (body === null) return NONE
  const { limit, at } = bounds
  if (limit !== Number.POSITIVE_INFINITY) {
    const declared = declaredSize(response.headers)
    if (declared !== undefined && declared > limit) {
      const error = new MaxResponseSizeError(request, response.status, limit, 0, declared)
      body.cancel(error).catch(() => {})
      throw error
    }
  }
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return { chunks, size }
    size += value.byteLength
    const error =
      size > limit
        ? new MaxResponseSizeError(request, response.status, limit, size)
        : at !== undefined && performance.now() >= at
          ? new TimeoutError(request, request.timeout as number)
          : undefined
    if (error) {
      reader.cancel(error).catch(() => {})
      throw error
    }
    chunks.push(value)
  }
}

/** The chunks as one array (no copy for a body that came in one chunk). */
export function joined({ chunks, size }: Whole): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}
