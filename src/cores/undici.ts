import { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { type BodySource, encodeRequestBody, readBody, settle } from '../body.js'
import { attemptSignal } from '../signal.js'
import type { ClientRequest, ClientResponse, Core } from '../types.js'

function headersOf(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers()
  for (const name in raw) {
    const value = raw[name]
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else if (value !== undefined) headers.append(name, value)
  }
  return headers
}

function sourceOf(body: Dispatcher.ResponseData['body']): BodySource {
  return {
    text: () => body.text(),
    arrayBuffer: () => body.arrayBuffer(),
    blob: () => body.blob() as Promise<Blob>,
    stream: () => Readable.toWeb(body) as ReadableStream<Uint8Array>,
    discard: () => body.dump(),
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 20
const CREDENTIALS = ['authorization', 'proxy-authorization', 'cookie']

type Hop = { url: URL; method: string; headers: Headers; body: unknown }

/** The next hop of a redirect, as fetch would make it, or `undefined` to hand the 3xx back. */
function nextHop(hop: Hop, status: number, location: string | string[] | undefined): Hop | undefined {
  if (!REDIRECTS.has(status) || typeof location !== 'string') return undefined
  const url = new URL(location, hop.url)
  // 303, and 301/302 after a POST, become a GET without a body (fetch, RFC 9110 §15.4).
  const toGet = status === 303 ? hop.method !== 'HEAD' : (status === 301 || status === 302) && hop.method === 'POST'
  if (!toGet && hop.body instanceof ReadableStream) return undefined // a stream cannot be sent twice
  let headers = hop.headers
  if (url.origin !== hop.url.origin || toGet) {
    headers = new Headers(headers)
    if (url.origin !== hop.url.origin) for (const name of CREDENTIALS) headers.delete(name)
    if (toGet) for (const name of ['content-type', 'content-length', 'content-encoding']) headers.delete(name)
  }
  return { url, method: toGet ? 'GET' : hop.method, headers, body: toGet ? undefined : hop.body }
}

/**
 * The undici core: `Dispatcher.request` on the client's Agent, with no WHATWG fetch layer in
 * between — the fast path for service-to-service calls. Redirects are followed here (up to 20,
 * as fetch does, dropping credentials when the origin changes) rather than by undici's redirect
 * interceptor, whose handler wrapping costs every request, redirected or not.
 */
export function createUndiciCore(agent: Dispatcher): Core {
  return async function undiciCore(request: ClientRequest): Promise<ClientResponse> {
    const attempt = attemptSignal(request)
    try {
      const encoded = encodeRequestBody(request)
      let hop: Hop = { url: request.url, method: request.method, headers: encoded.headers, body: encoded.body }
      for (let hops = 0; ; hops++) {
        const res: Dispatcher.ResponseData = await agent.request({
          origin: hop.url.origin,
          path: hop.url.pathname + hop.url.search,
          method: hop.method as Dispatcher.HttpMethod,
          headers: hop.headers as unknown as Dispatcher.RequestOptions['headers'],
          body: (hop.body ?? null) as Dispatcher.DispatchOptions['body'],
          signal: attempt.signal,
        } as Dispatcher.RequestOptions)
        const next = hops < MAX_REDIRECTS ? nextHop(hop, res.statusCode, res.headers.location) : undefined
        if (next) {
          await res.body.dump()
          hop = next
          continue
        }
        if (request.responseType === 'stream') attempt.done()
        const type = res.headers['content-type']
        const contentType = (Array.isArray(type) ? type[0] : type) ?? ''
        const data = await readBody(request, res.statusCode, contentType, sourceOf(res.body))
        return settle(lazyResponse(request, res, hop.url.href, data))
      }
    } catch (error) {
      throw attempt.failure(error)
    } finally {
      attempt.done()
    }
  }
}

function lazyResponse(request: ClientRequest, res: Dispatcher.ResponseData, url: string, data: unknown): ClientResponse {
  let headers: Headers | undefined
  let raw: Response | undefined
  const status = res.statusCode
  return {
    status,
    ok: status >= 200 && status < 300,
    get headers() {
      headers ??= headersOf(res.headers)
      return headers
    },
    url,
    data,
    request,
    get raw() {
      raw ??= new Response(null, { status: Math.max(status, 200), headers: this.headers })
      return raw
    },
  }
}
