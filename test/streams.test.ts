// A streamed body, on both cores: cancelling it is safe at any moment, and a failure while the
// caller reads it is a ClientError with a stable code and a redacted request. Cases written from
// got's timeout suite (test/timeout.ts "`read` timeout - stream", "cancelling the request
// removes timeouts") and undici's test/request-timeout.js "body timeout", as behaviours.
import type { ServerResponse } from 'node:http'
import { setImmediate as tick } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { retry } from '../middleware/retry.js'
import { type ClientOptions, createClient, isClientError, NetworkError, TimeoutError } from '../src/index.js'
import { startServer } from './helpers/server.js'

/** Reads a stream to its end, or to the error it fails with. */
async function drain(stream: ReadableStream<Uint8Array>): Promise<unknown> {
  const reader = stream.getReader()
  try {
    while (!(await reader.read()).done) {}
    return 'done'
  } catch (error) {
    return error
  }
}

const begin = (res: ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'application/octet-stream' })
  res.write('first chunk')
}

for (const core of ['fetch', 'undici'] as const) {
  describe(`${core} core: streamed bodies`, () => {
    const client = (baseURL: string, options: Partial<ClientOptions> = {}) => createClient({ baseURL, core, ...options })

    // Anything thrown outside a promise chain fails the test: it would take a service down.
    const stray: unknown[] = []
    const onStray = (error: unknown): number => stray.push(error)
    beforeEach(() => {
      stray.length = 0
      process.on('uncaughtException', onStray)
      process.on('unhandledRejection', onStray)
    })
    afterEach(() => {
      process.off('uncaughtException', onStray)
      process.off('unhandledRejection', onStray)
    })

    it('cancels an unread error body before a retry without an uncaught exception', async () => {
      const server = await startServer([
        { status: 500, body: 'x'.repeat(100_000) },
        { status: 200, body: 'fine' },
      ])
      await using api = client(server.url, { throwHttpErrors: false, middleware: [retry({ maxRetries: 1, delay: 1 })] })
      const res = await api.get<ReadableStream<Uint8Array>>('/flaky', { responseType: 'stream' })
      expect(res.status).toBe(200)
      expect(await new Response(res.data).text()).toBe('fine')
      await tick()
      await tick()
      expect(stray).toEqual([])
    })

    it('lets the caller cancel a body at any moment without an uncaught exception', async () => {
      const server = await startServer((_req, res) => {
        begin(res)
        setTimeout(() => res.end('last chunk'), 20)
      })
      await using api = client(server.url)
      for (let i = 0; i < 3; i++) {
        const untouched = await api.get<ReadableStream<Uint8Array>>('/a', { responseType: 'stream' })
        await untouched.data.cancel()
        const started = await api.get<ReadableStream<Uint8Array>>('/b', { responseType: 'stream' })
        const reader = started.data.getReader()
        await reader.read()
        await reader.cancel()
      }
      await new Promise((resolve) => setTimeout(resolve, 50)) // the bodies' last chunks arrive
      await tick()
      expect(stray).toEqual([])
    })

    it('fails a body cut off mid-stream with a NetworkError naming the request, redacted', async () => {
      const server = await startServer((req, res) => {
        begin(res)
        setTimeout(() => req.socket.destroy(), 20)
      })
      await using api = client(server.url)
      const res = await api.get<ReadableStream<Uint8Array>>('/cut', { responseType: 'stream', query: { access_token: 's3cret' } })
      const error = await drain(res.data)
      expect(error).toBeInstanceOf(NetworkError)
      expect((error as NetworkError).code).toBe('FL_ERR_NETWORK')
      expect((error as NetworkError).request?.url).toContain('/cut')
      expect(JSON.stringify(error)).not.toContain('s3cret')
      expect((error as Error).message).not.toContain('s3cret')
    })

    // undici: test/request-timeout.js "body timeout"; got: test/timeout.ts "`read` timeout - stream"
    it("fails a body that stalls past the pool's bodyTimeout with a TimeoutError (limit 'body')", async () => {
      const server = await startServer((_req, res) => begin(res)) // then silence
      await using api = client(server.url, { pool: { bodyTimeout: 100 } })
      const res = await api.get<ReadableStream<Uint8Array>>('/stall', { responseType: 'stream' })
      const error = await drain(res.data)
      expect(error).toBeInstanceOf(TimeoutError)
      expect((error as TimeoutError).limit).toBe('body')
      expect((error as TimeoutError).timeout).toBe(100)
    })

    // got: test/timeout.ts "`read` timeout - promise"
    it("fails a buffered body that stalls past the pool's bodyTimeout with a TimeoutError (limit 'body')", async () => {
      const server = await startServer((_req, res) => begin(res))
      await using api = client(server.url, { pool: { bodyTimeout: 100 } })
      const error = await api.get('/stall', { responseType: 'text' }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TimeoutError)
      expect((error as TimeoutError).limit).toBe('body')
    })

    // got: test/timeout.ts "cancelling the request removes timeouts"
    it("fails the body with the caller's abort reason, unchanged, when the caller aborts mid-stream", async () => {
      const server = await startServer((_req, res) => begin(res))
      await using api = client(server.url)
      const controller = new AbortController()
      const reason = new Error('user went away')
      const res = await api.get<ReadableStream<Uint8Array>>('/drip', { responseType: 'stream', timeout: 5_000, signal: controller.signal })
      const reader = res.data.getReader()
      await reader.read()
      controller.abort(reason)
      const error = await reader.read().then(
        () => reader.read(),
        (e: unknown) => e,
      )
      expect(error).toBe(reason)
      expect(isClientError(error)).toBe(false)
    })
  })
}
