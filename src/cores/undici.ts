import { Readable } from 'node:stream'
import { type Dispatcher, interceptors } from 'undici'
import { type BodySource, encodeRequestBody, readBody, settle } from '../body.js'
import { attemptSignal } from '../signal.js'
import type { ClientRequest, ClientResponse, Core } from '../types.js'

type Hop = { hop?: (url: string) => void }

// Reports each hop of a redirect chain, so the response can name the URL that answered.
const recordHops: Dispatcher.DispatcherComposeInterceptor = (dispatch) =>
  function recordHops(options, handler) {
    ;(options as Hop).hop?.(`${options.origin}${options.path}`)
    return dispatch(options, handler)
  }

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

/**
 * The undici core: `Dispatcher.request` on the client's Agent, with no WHATWG fetch layer in
 * between — the fast path for service-to-service calls. Redirects are followed (up to 20, as
 * fetch does), dropping credentials when the origin changes.
 */
export function createUndiciCore(agent: Dispatcher): Core {
  const dispatcher = agent.compose(recordHops, interceptors.redirect({ maxRedirections: 20 }))

  return async function undiciCore(request: ClientRequest): Promise<ClientResponse> {
    const attempt = attemptSignal(request)
    const { url } = request
    let answeredBy = url.href
    try {
      const { body, headers } = encodeRequestBody(request)
      const res = await dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body: body as Dispatcher.DispatchOptions['body'],
        signal: attempt.signal,
        hop: (hop: string) => {
          answeredBy = hop
        },
      } as Dispatcher.RequestOptions)
      if (request.responseType === 'stream') attempt.done()
      const type = res.headers['content-type']
      const contentType = (Array.isArray(type) ? type[0] : type) ?? ''
      const data = await readBody(request, res.statusCode, contentType, sourceOf(res.body))
      return settle(lazyResponse(request, res, answeredBy, data))
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
