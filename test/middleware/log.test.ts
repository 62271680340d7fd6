import { createConsola } from 'consola'
import { describe, expect, it } from 'vitest'
import { defaultFailureLevel, type LoggedFailure, log } from '../../middleware/log.js'
import { recommended } from '../../middleware/recommended.js'
import { redact } from '../../middleware/redact.js'
import { retry } from '../../middleware/retry.js'
import { createClient, isHTTPError, REDACTED } from '../../src/index.js'
import { captureLogs } from '../helpers/capture.js'
import { echo, refusedPort, startServer } from '../helpers/server.js'

describe('log', () => {
  it('writes a debug request line and an info response line with the guide field names', async () => {
    const server = await startServer({ json: { id: 1 } })
    const { logger, fields, messages } = captureLogs()
    await using api = createClient({ baseURL: server.url, headers: { authorization: 'Bearer s3cr3t' }, middleware: [log({ logger })] })
    await api.get('/users/{id}', { params: { id: 123 }, query: { access_token: 'tok' } })
    const url = `${server.url}/users/123?access_token=${REDACTED}`
    expect(messages('debug')).toEqual([`API Request: GET ${url}`])
    expect(fields('debug')[0]).toMatchObject({
      method: 'GET',
      url,
      attempt: 0,
      headers: expect.objectContaining({ authorization: REDACTED }),
    })
    expect(messages('info')[0]).toMatch(new RegExp(`^API Response: GET ${url.replace(/[?*.]/g, '\\$&')} - 200 \\(\\d+\\.\\d+s\\)$`))
    expect(fields('info')[0]).toMatchObject({ method: 'GET', url, status_code: 200, elapsed_seconds: expect.any(Number), attempt: 0 })
  })

  it('writes a warn line per retry and one error line for the final failure', async () => {
    const server = await startServer(503)
    const { logger, fields, messages } = captureLogs()
    await using api = createClient({
      baseURL: server.url,
      middleware: [retry({ maxRetries: 2, jitter: false, sleep: async () => {} }), log({ logger })],
    })
    await expect(api.get('/down')).rejects.toThrow()
    expect(messages('info')).toHaveLength(3) // a response line per attempt
    expect(messages('warn')).toEqual([
      `API Retry: GET ${server.url}/down - retry 1 in 1s after 503`,
      `API Retry: GET ${server.url}/down - retry 2 in 2s after 503`,
    ])
    expect(fields('warn')[1]).toMatchObject({ attempt: 2, delay_seconds: 2, status_code: 503 })
    expect(messages('error')).toEqual([`API Error: GET ${server.url}/down - FL_ERR_HTTP 503`])
    expect(fields('error')[0]).toMatchObject({ error_code: 'FL_ERR_HTTP', status_code: 503, attempt: 2 })
  })

  it('logs the failure of a middleware inside it that throws instead of rejecting (the pipeline makes it a rejection)', async () => {
    const server = await startServer({ json: { ok: true } })
    const { logger, messages } = captureLogs()
    const broken = () => {
      throw new TypeError('broken middleware')
    }
    await using api = createClient({ baseURL: server.url, middleware: [retry({ maxRetries: 1 }), log({ logger }), broken] })
    await expect(api.get('/x')).rejects.toThrow('broken middleware')
    expect(messages('error')).toEqual([`API Error: GET ${server.url}/x - TypeError`])
    expect(server.seen).toHaveLength(0)
  })
  it('logs the final failure itself when no retry wraps it, with the error code', async () => {
    const port = await refusedPort()
    const { logger, fields } = captureLogs()
    await using api = createClient({ baseURL: `http://127.0.0.1:${port}`, middleware: [log({ logger })] })
    await expect(api.get('/x')).rejects.toThrow()
    expect(fields('error')).toHaveLength(1)
    expect(fields('error')[0]).toMatchObject({ error_code: 'FL_ERR_NETWORK', error: expect.stringContaining('ECONNREFUSED') })
  })

  it('logs a final 4xx at warn, not error, with or without retry around it', async () => {
    const server = await startServer(404)
    const { logger, messages, fields } = captureLogs()
    await using bare = createClient({ baseURL: server.url, middleware: [log({ logger })] })
    await using retried = createClient({ baseURL: server.url, middleware: [retry({ sleep: async () => {} }), log({ logger })] })
    await expect(bare.get('/missing')).rejects.toThrow()
    await expect(retried.get('/missing')).rejects.toThrow()
    expect(messages('error')).toEqual([])
    expect(messages('warn')).toEqual([
      `API Error: GET ${server.url}/missing - FL_ERR_HTTP 404`,
      `API Error: GET ${server.url}/missing - FL_ERR_HTTP 404`,
    ])
    expect(fields('warn')[0]).toMatchObject({ error_code: 'FL_ERR_HTTP', status_code: 404 })
  })

  it('logs a timeout at error', async () => {
    const server = await startServer('hang')
    const { logger, fields } = captureLogs()
    await using api = createClient({ baseURL: server.url, middleware: [log({ logger })] })
    await expect(api.get('/slow', { timeout: 50 })).rejects.toThrow()
    expect(fields('error')).toEqual([expect.objectContaining({ error_code: 'FL_ERR_TIMEOUT' })])
  })

  it('writes a failure the caller marked handled at warn (context.handled: true or a predicate)', async () => {
    const server = await startServer(503)
    const { logger, messages } = captureLogs()
    await using api = createClient({ baseURL: server.url, middleware: [log({ logger })] })
    await expect(api.get('/a', { context: { handled: true } })).rejects.toThrow()
    await expect(api.get('/b', { context: { handled: (e: unknown) => isHTTPError(e) && e.status === 503 } })).rejects.toThrow()
    await expect(api.get('/c', { context: { handled: (e: unknown) => isHTTPError(e) && e.status === 404 } })).rejects.toThrow()
    expect(messages('warn')).toHaveLength(2)
    expect(messages('error')).toEqual([`API Error: GET ${server.url}/c - FL_ERR_HTTP 503`])
  })

  it('takes failureLevel to choose the level of a final failure', async () => {
    const server = await startServer((req, res) => void res.writeHead(req.url === '/gone' ? 404 : 500).end())
    const { logger, lines } = captureLogs()
    const failureLevel = (f: LoggedFailure) => (f.status === 404 ? 'debug' : f.status === 500 ? 'silent' : defaultFailureLevel(f))
    await using api = createClient({ baseURL: server.url, middleware: [log({ logger, failureLevel })] })
    await expect(api.get('/gone')).rejects.toThrow()
    await expect(api.get('/broken')).rejects.toThrow()
    const failures = lines.filter((l) => String(l.args[0]).startsWith('API Error'))
    expect(failures.map((l) => [l.type, l.args[0]])).toEqual([['debug', `API Error: GET ${server.url}/gone - FL_ERR_HTTP 404`]])
    expect(() => log({ failureLevel: 'warn' as never })).toThrow('log: failureLevel must be a function (failure) => level, got string')
  })

  it("prints one line per call in a terminal at info (consola's fancy and basic reporters)", async () => {
    const server = await startServer({ json: { id: 1 } })
    for (const fancy of [true, false]) {
      let out = ''
      const stream = { write: (chunk: string) => ((out += chunk), true) } as unknown as NodeJS.WriteStream
      const logger = createConsola({ level: 3, fancy, stdout: stream, stderr: stream, formatOptions: { colors: false, date: false } })
      await using api = createClient({ baseURL: server.url, middleware: recommended({ log: { logger } }) })
      await api.get('/users/1')
      await api.get('/users/2')
      const printed = out.split('\n').filter((line) => line.trim() !== '')
      expect(printed).toHaveLength(2)
      expect(printed[0]).toMatch(/API Response: GET http:\/\/127\.0\.0\.1:\d+\/users\/1 - 200 \(\d+\.\d+s\)$/)
    }
  })

  it('hands a structured reporter every field at the top level of the log object', async () => {
    const server = await startServer(200)
    const entries: Array<Record<string, unknown>> = []
    const logger = createConsola({ level: 4, reporters: [{ log: (entry) => void entries.push(JSON.parse(JSON.stringify(entry))) }] })
    await using api = createClient({ baseURL: server.url, middleware: [log({ logger })] })
    await api.get('/x')
    expect(entries[0]).toMatchObject({ type: 'debug', method: 'GET', url: `${server.url}/x`, attempt: 0, headers: expect.any(Object) })
    expect(entries[1]).toMatchObject({ type: 'info', method: 'GET', status_code: 200, elapsed_seconds: expect.any(Number), attempt: 0 })
    const response = entries[1] as { args: unknown[]; elapsed_seconds: number }
    expect(response.args).toEqual([`API Response: GET ${server.url}/x - 200 (${response.elapsed_seconds.toFixed(3)}s)`])
  })

  it('also hears retries when it sits outside retry', async () => {
    const server = await startServer([503, 200])
    const { logger, messages } = captureLogs()
    await using api = createClient({ baseURL: server.url, middleware: [log({ logger }), retry({ sleep: async () => {} })] })
    await api.get('/')
    expect(messages('warn')).toHaveLength(1)
    expect(messages('error')).toHaveLength(0)
  })

  it('does not log bodies unless asked; then redacts them by key and caps them', async () => {
    const server = await startServer(echo)
    const quiet = captureLogs()
    await using plain = createClient({ baseURL: server.url, middleware: [log({ logger: quiet.logger })] })
    await plain.post('/login', { json: { user: 'ada', password: 'hunter2' } })
    expect(JSON.stringify(quiet.lines)).not.toContain('"body"')

    const loud = captureLogs()
    await using api = createClient({
      baseURL: server.url,
      middleware: [redact({ bodyKeys: ['pin'] }), log({ logger: loud.logger, bodies: true, maxBodyLength: 200 })],
    })
    await api.post('/login', { json: { user: 'ada', password: 'hunter2', pin: '1234', notes: 'x'.repeat(500) } })
    const sent = String(loud.fields('debug')[0]?.body)
    expect(sent).toContain('"user":"ada"')
    expect(sent).toContain(`"password":"${REDACTED}"`)
    expect(sent).toContain(`"pin":"${REDACTED}"`)
    expect(sent).toMatch(/… \[cut: \d+ of \d+ chars not shown\]$/)
    expect(JSON.stringify(loud.lines)).not.toContain('hunter2')
    expect(JSON.stringify(loud.lines)).not.toContain('1234')
  })

  it('redacts urlencoded form bodies by key', async () => {
    const server = await startServer({ json: { access_token: 'fresh-token', expires_in: 7200 } })
    const { logger, lines } = captureLogs()
    await using api = createClient({ baseURL: server.url, middleware: [log({ logger, bodies: true })] })
    await api.post('/oauth/token', { form: { grant_type: 'client_credentials', client_secret: 'cs-123' } })
    await api.post('/oauth/token', {
      body: 'grant_type=x&client_secret=cs-456',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    const all = JSON.stringify(lines)
    for (const secret of ['cs-123', 'cs-456', 'fresh-token']) expect(all).not.toContain(secret)
    expect(all).toContain('client_credentials')
  })

  it('takes a level that overrides the logger', async () => {
    const server = await startServer([200, 500])
    const { logger, lines } = captureLogs(4)
    await using api = createClient({ baseURL: server.url, middleware: [log({ logger, level: 'warn' })] })
    await api.get('/')
    expect(lines).toHaveLength(0) // no debug or info lines at warn
    await expect(api.get('/fail')).rejects.toThrow()
    expect(lines.map((l) => l.type)).toEqual(['error']) // still the logger's reporters
    expect(() => log({ level: 'loud' as never })).toThrow(/log: level must be a consola level name/)
  })

  it('never folds identical lines (consola throttling is off for request logs)', async () => {
    const server = await startServer(200)
    const { logger, messages } = captureLogs(3)
    await using api = createClient({ baseURL: server.url, middleware: [log({ logger })] })
    for (let i = 0; i < 10; i++) await api.get('/same')
    expect(messages('info')).toHaveLength(10)
  })

  it('follows the logger level when it changes later', async () => {
    const server = await startServer(200)
    const { logger, lines } = captureLogs(1)
    await using api = createClient({ baseURL: server.url, middleware: [log({ logger })] })
    await api.get('/')
    expect(lines).toHaveLength(0)
    logger.level = 3
    await api.get('/')
    expect(lines).toHaveLength(1)
  })

  it('costs one comparison when the level is off', async () => {
    const server = await startServer(200)
    const { logger, lines } = captureLogs(-999)
    await using api = createClient({ baseURL: server.url, middleware: [log({ logger })] })
    await api.get('/')
    expect(lines).toHaveLength(0)
  })
})
