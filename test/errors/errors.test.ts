import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import * as built from '../../dist/src/index.js'
import {
  ClientError,
  createClient,
  HTTPError,
  isClientError,
  isHTTPError,
  isNetworkError,
  isTimeoutError,
  type NetworkError,
  REDACTED,
} from '../../src/index.js'
import { refusedPort, startServer } from '../helpers/server.js'

describe('error guards', () => {
  it('recognise errors from another installed copy (the built dist)', async () => {
    const server = await startServer(418)
    await using api = built.createClient({ baseURL: server.url })
    const error = await api.get('/tea').catch((e: unknown) => e)
    expect(error).not.toBeInstanceOf(HTTPError) // another copy's class…
    expect(isHTTPError(error)).toBe(true) // …still recognised
    expect(isClientError(error)).toBe(true)
    expect(isNetworkError(error)).toBe(false)
    expect(isTimeoutError(error)).toBe(false)
  })

  it('recognise subclasses and reject look-alikes', () => {
    class VendorError extends ClientError {}
    expect(isClientError(new VendorError('x', { code: 'VENDOR' }))).toBe(true)
    expect(isHTTPError(new VendorError('x', { code: 'VENDOR' }))).toBe(false)
    expect(isHTTPError({ name: 'HTTPError', status: 500 })).toBe(false)
    expect(isClientError(null)).toBe(false)
  })
})

describe('error rendering', () => {
  it('toJSON gives name, code, message and the redacted request', async () => {
    const port = await refusedPort()
    await using api = createClient({ baseURL: `http://127.0.0.1:${port}` })
    const error = await api.get('/x', { query: { token: 'T0K3N' } }).catch((e: unknown) => e)
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'NetworkError',
      code: 'FL_ERR_NETWORK',
      message: expect.stringContaining('ECONNREFUSED'),
      request: { method: 'GET', url: `http://127.0.0.1:${port}/x?token=***REDACTED***` },
      systemCode: 'ECONNREFUSED',
      neverSent: true,
    })
  })
})

describe('what an error hands out, printed', () => {
  // Azure SDK: @azure/core-rest-pipeline test/node/restError.spec.ts "serializes properly in node",
  // and test/sanitizer.spec.ts "Sanitizes a PipelineResponse": the request's and the response's
  // secret headers and query values render hidden, in our words.
  for (const core of ['fetch', 'undici'] as const) {
    it(`error.response and the request it carries render redacted under util.inspect and JSON (${core} core)`, async () => {
      const server = await startServer({
        status: 401,
        json: { error: 'bad', refresh_token: 'RT-IN-BODY' },
        headers: { 'x-magic-token': 'MAGIC' },
      })
      await using api = createClient({ baseURL: server.url, core, headers: { authorization: 'Bearer SUPER-SECRET' } })
      const error = (await api.get('/me', { query: { access_token: 'QS-SECRET', page: 1 } }).catch((e: unknown) => e)) as HTTPError
      const printed = [
        inspect(error.response, { depth: 10 }),
        JSON.stringify(error.response),
        inspect(error, { depth: 10, showHidden: true }),
        inspect(error.response.request, { depth: 10 }),
        JSON.stringify({ ...error.response.request }), // a middleware's copy keeps the rendering
      ].join('\n')
      for (const secret of ['SUPER-SECRET', 'QS-SECRET', 'MAGIC', 'RT-IN-BODY']) expect(printed).not.toContain(secret)
      expect(printed).toContain(`access_token=${REDACTED}&page=1`)
      expect(JSON.parse(JSON.stringify(error.response))).toMatchObject({ status: 401, data: { error: 'bad' }, request: { method: 'GET' } })
      expect(error.response.request.headers.get('authorization')).toBe('Bearer SUPER-SECRET') // the real values are still there
    })
  }

  it('a response renders redacted too', async () => {
    const server = await startServer({ json: { access_token: 'AT-IN-BODY', expires_in: 7200 }, headers: { 'set-cookie': 'sid=COOKIE' } })
    await using api = createClient({ baseURL: server.url })
    const response = await api.post('/token', { form: { client_secret: 'CS' } })
    const printed = `${inspect(response, { depth: 10 })}\n${JSON.stringify(response)}`
    for (const secret of ['AT-IN-BODY', 'COOKIE', 'CS']) expect(printed).not.toContain(secret)
    expect(printed).toContain('expires_in')
  })

  it('a custom fetch’s error that names the URL (node-fetch’s does) is scrubbed down the cause chain', async () => {
    const failing = async (input: URL | string | Request): Promise<Response> => {
      const url = input instanceof Request ? input.url : String(input)
      const inner = Object.assign(new Error(`connect ECONNREFUSED for ${url}`), { code: 'ECONNREFUSED', url, path: '/x?token=PATH-TOKEN' })
      throw Object.assign(new TypeError(`request to ${url} failed, reason: connect ECONNREFUSED`, { cause: inner }), {
        code: 'ECONNREFUSED',
        errors: [new AggregateError([inner], `all attempts to ${url} failed`)],
      })
    }
    await using api = createClient({ baseURL: 'http://127.0.0.1:9', fetch: failing })
    const error = (await api.get('/x', { query: { access_token: 'RAW-TOKEN' } }).catch((e: unknown) => e)) as NetworkError
    expect(isNetworkError(error)).toBe(true)
    expect(error.systemCode).toBe('ECONNREFUSED')
    const printed = [inspect(error, { depth: 10 }), inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error)].join('\n')
    expect(printed).not.toContain('RAW-TOKEN')
    expect(printed).not.toContain('PATH-TOKEN')
    const cause = error.cause as TypeError & { code: string; cause: Error & { code: string; url: string }; errors: AggregateError[] }
    expect(cause).toBeInstanceOf(TypeError) // class, code and shape kept
    expect(cause.code).toBe('ECONNREFUSED')
    expect(cause.message).toBe(`request to http://127.0.0.1:9/x?access_token=${REDACTED} failed, reason: connect ECONNREFUSED`)
    expect(cause.cause.code).toBe('ECONNREFUSED')
    expect(cause.cause.url).toBe(`http://127.0.0.1:9/x?access_token=${REDACTED}`)
    expect(cause.errors[0]).toBeInstanceOf(AggregateError)
    expect(cause.errors[0]?.message).not.toContain('RAW-TOKEN')
  })

  it('a cause with nothing to hide is handed back as it was', async () => {
    const original = Object.assign(new TypeError('fetch failed'), { code: 'ECONNRESET' })
    await using api = createClient({ baseURL: 'http://127.0.0.1:9', fetch: () => Promise.reject(original) })
    const error = (await api.get('/x').catch((e: unknown) => e)) as NetworkError
    expect(error.cause).toBe(original)
  })
})
