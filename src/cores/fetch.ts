import { createFetch, type FetchOptions } from 'ofetch'
import type { Dispatcher } from 'undici'
import { type BodySource, encodeRequestBody, readBody, settle } from '../body.js'
import { attemptSignal } from '../signal.js'
import type { ClientRequest, ClientResponse, Core } from '../types.js'

/** A fetch-compatible function: undici's, Node's global one, msw's, or `mockFetch`. */
export type FetchFunction = (input: URL | string | Request, init?: RequestInit) => Promise<Response>

const EMPTY = (): ReadableStream<Uint8Array> => new ReadableStream({ start: (c) => c.close() })

/** The fetch Response as a body source (a class: no closures per response). */
class FetchBody implements BodySource {
  constructor(readonly response: Response) {}
  text(): Promise<string> {
    return this.response.text()
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.response.arrayBuffer()
  }
  blob(): Promise<Blob> {
    return this.response.blob()
  }
  stream(): ReadableStream<Uint8Array> {
    return this.response.body ?? EMPTY()
  }
  async discard(): Promise<void> {
    await this.response.body?.cancel()
  }
}

/**
 * The fetch core: ofetch over a fetch function. ofetch's own retry and timeout stay off (it would
 * retry an aborted request and reuse an aborted signal); retry and timeout are middleware jobs.
 * With `dispatcher`, every request goes through the client's undici Agent.
 */
export function createFetchCore(fetchImpl: FetchFunction, dispatcher?: Dispatcher): Core {
  const $fetch = createFetch({ fetch: fetchImpl as typeof fetch, Headers, AbortController })
  // Options that are the same for every request, spread once here instead of per call.
  const fixed = {
    retry: false,
    responseType: 'stream',
    ignoreResponseError: true,
    ...(dispatcher ? { dispatcher } : {}),
  } as const

  return async function fetchCore(request: ClientRequest): Promise<ClientResponse> {
    const attempt = attemptSignal(request)
    try {
      const { body, headers } = encodeRequestBody(request)
      const options = {
        ...fixed,
        method: request.method,
        headers,
        body,
        signal: attempt.signal,
      } as FetchOptions<'stream'>
      const response = await $fetch.raw(request.url as unknown as string, options)
      const contentType = response.headers.get('content-type') ?? ''
      // A stream outlives this call: the attempt timer stops at the headers, the caller's signal
      // stays linked so it can still cancel the body.
      if (request.responseType === 'stream') attempt.stopTimer()
      const data = await readBody(request, response.status, contentType, new FetchBody(response))
      return settle({
        status: response.status,
        ok: response.ok,
        headers: response.headers,
        url: response.url || request.url.href,
        data,
        request,
        raw: response,
      })
    } catch (error) {
      // ofetch wraps transport errors in a FetchError whose message names the raw URL: unwrap it.
      const inner = (error as Error)?.name === 'FetchError' && (error as Error).cause !== undefined ? (error as Error).cause : error
      throw attempt.failure(inner)
    } finally {
      attempt.done()
    }
  }
}
