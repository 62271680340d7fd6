import { describe, expect, it } from 'vitest'
import * as built from '../dist/src/index.js'
import { ClientError, createClient, HTTPError, isClientError, isHTTPError, isNetworkError, isTimeoutError } from '../src/index.js'
import { refusedPort, startServer } from './helpers/server.js'

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
