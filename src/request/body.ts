import { Headers } from '../core/headers.js'
import type { ClientRequest, ClientResponse, ResponseType } from '../core/types.js'
import { HTTPError, ParseError } from '../errors/errors.js'

/** What a core can read a body as; both cores adapt their transport's body to it. */
export type BodySource = {
  text(): Promise<string>
  arrayBuffer(): Promise<ArrayBuffer>
  blob(): Promise<Blob>
  stream(): ReadableStream<Uint8Array>
  /** Reads and drops the rest of the body, so the connection can be reused. */
  discard(): Promise<void>
}

const JSON_TYPE = /^application\/(?:[\w!#$%&*.^`~-]*\+)?json$/i
const TEXT_TYPE = /^(?:text\/|application\/(?:xml|xhtml\+xml|javascript|ecmascript|x-www-form-urlencoded)$|[^;]*\+xml$)/i
const NO_BODY_STATUS = new Set([101, 204, 205, 304])

// A service answers with the same content type again and again: remember the last one.
let lastContentType = ''
let lastType: ResponseType = 'text'

/** The reading a content type implies when no `responseType` was asked for. */
export function detectResponseType(contentType: string): ResponseType {
  if (contentType === lastContentType) return lastType
  const type = typeOfContent(contentType)
  lastContentType = contentType
  lastType = type
  return type
}

function typeOfContent(contentType: string): ResponseType {
  const essence = contentType.split(';', 1)[0]?.trim() ?? ''
  if (essence === '') return 'text'
  if (JSON_TYPE.test(essence)) return 'json'
  return TEXT_TYPE.test(essence) ? 'text' : 'arrayBuffer'
}

/**
 * A body already in memory (the undici core's buffered exchange): its text can be had without a
 * promise.
 */
export type BufferedBodySource = BodySource & { textNow(): string }

/** What to read a body as: what the request asks, or what its content type implies. */
function typeToRead(request: ClientRequest, status: number, contentType: string): ResponseType {
  const asked = request.responseType
  // A stream of an error body is no use to an error handler: parse it instead.
  const failing = status >= 400 && request.throwHttpErrors
  return asked === undefined || (asked === 'stream' && failing) ? detectResponseType(contentType) : asked
}

/** A text body as `type` ('json' or 'text'); an empty one read by default gives `undefined`. */
function fromText(request: ClientRequest, status: number, contentType: string, type: ResponseType, text: string): unknown {
  if (type === 'text') return text === '' && request.responseType === undefined ? undefined : text
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new ParseError(request, status, contentType, text)
  }
}

/**
 * Reads a body as the request asks, or as its content type implies. An empty body read by
 * default gives `undefined`; invalid JSON rejects with a `ParseError` naming status and type.
 */
export async function readBody(request: ClientRequest, status: number, contentType: string, source: BodySource): Promise<unknown> {
  if (request.method === 'HEAD' || NO_BODY_STATUS.has(status)) {
    await source.discard()
    return undefined
  }
  const type = typeToRead(request, status, contentType)
  switch (type) {
    case 'stream':
      return source.stream()
    case 'json':
    case 'text':
      return fromText(request, status, contentType, type, await source.text())
    case 'arrayBuffer': {
      const buffer = await source.arrayBuffer()
      return buffer.byteLength === 0 && request.responseType === undefined ? undefined : buffer
    }
    case 'blob':
      return source.blob()
  }
}

/**
 * {@link readBody} for a body already in memory: JSON and text (nearly every answer) come back
 * as the value itself, without the two promises and async frames `readBody` costs (~0.4 µs and
 * ~0.3 KB a request, measured on Node 26); other readings come back as `readBody`'s promise. A
 * `ParseError` is thrown rather than rejected.
 */
export function readBufferedBody(request: ClientRequest, status: number, contentType: string, source: BufferedBodySource): unknown {
  if (request.method === 'HEAD' || NO_BODY_STATUS.has(status)) return readBody(request, status, contentType, source)
  const type = typeToRead(request, status, contentType)
  if (type !== 'json' && type !== 'text') return readBody(request, status, contentType, source)
  return fromText(request, status, contentType, type, source.textNow())
}

/** Rejects with `HTTPError` when the status calls for it, or hands the response back. */
export function settle<T>(response: ClientResponse<T>): ClientResponse<T> {
  if (response.status >= 400 && response.request.throwHttpErrors) throw new HTTPError(response)
  return response
}

/**
 * Multipart bodies are encoded per attempt through the global `Response`, which knows the global
 * `FormData` (undici's npm copy does not), so a FormData body can be sent again on a retry.
 */
export function encodeRequestBody(request: ClientRequest): { body: Exclude<ClientRequest['body'], FormData>; headers: Headers } {
  const { body, headers } = request
  if (!(body instanceof FormData)) return { body, headers }
  const encoded = new Response(body)
  const withType = new Headers(headers)
  withType.set('content-type', encoded.headers.get('content-type') ?? 'multipart/form-data')
  return { body: encoded.body ?? undefined, headers: withType }
}

const decoder = new TextDecoder()

/**
 * Bytes already in memory as a body the cores' reader understands ({@link readBufferedBody}): what
 * `cache()` serves from its store and what the signed clients read after verifying the raw bytes.
 *
 * @example
 * const data = await readBufferedBody(request, 200, 'application/json', new BytesBody(bytes))
 */
export class BytesBody implements BufferedBodySource {
  constructor(readonly bytes: Uint8Array) {}
  textNow(): string {
    return decoder.decode(this.bytes)
  }
  async text(): Promise<string> {
    return this.textNow()
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.bytes.slice().buffer
  }
  async blob(): Promise<Blob> {
    return new Blob([this.bytes.slice()])
  }
  stream(): ReadableStream<Uint8Array> {
    return new Blob([this.bytes.slice()]).stream()
  }
  async discard(): Promise<void> {}
}

/**
 * The bytes a request will send, for a scheme that signs them (a Blob is read once); `''` for no
 * body. A FormData or a stream cannot be read without being consumed: `TypeError` with `why`.
 *
 * @example
 * const signed = await signedBody(request, 'Alipay signs the request body; send json, a string or bytes')
 */
export async function signedBody(request: ClientRequest, why: string): Promise<string | Uint8Array> {
  const { body } = request
  if (body === undefined) return ''
  if (typeof body === 'string' || body instanceof Uint8Array) return body
  if (body instanceof Blob) return new Uint8Array(await body.arrayBuffer())
  throw new TypeError(why)
}
