// Redirects on the fetch core: it asks the runtime's fetch for `redirect: 'manual'` and follows
// by fetchline's own policy, so the limit, the error and the headers that cross origins are the
// same on Node (undici's fetch), Bun, Deno and workerd. The server's `/redirect` points to this
// origin or to its second port (another origin); `/loop` redirects to itself.
import { type Case, type Context, check, checkError, equal, rejects, SECRET } from './assert.js'

type Echo = { method: string; url: string; headers: Record<string, string | undefined>; body: string }

const key = (): string => Math.random().toString(36).slice(2)

/** A client whose calls carry a client-level key and a header redact() declares secret. */
const keyed = ({ url, lib }: Context, options: { maxRedirects?: number } = {}) =>
  lib.core.createClient({
    baseURL: url,
    headers: { 'x-api-key': SECRET, 'x-trace': 'keep' },
    middleware: [lib.middleware.redact({ headers: ['x-tenant-id'] })],
    ...options,
  })

/** The secret headers that reached the echo, by name. */
const secretsSeen = (echo: Echo): string[] => ['x-api-key', 'api-key', 'x-tenant-id'].filter((name) => echo.headers[name] !== undefined)

export const redirects: Record<string, Case> = {
  async 'redirects: secret headers reach the same origin, never another one'(ctx) {
    await using api = keyed(ctx)
    const headers = { 'api-key': SECRET, 'x-tenant-id': SECRET }
    const same = await api.get<Echo>('/redirect', { query: { to: 'same' }, headers })
    equal(secretsSeen(same.data), ['x-api-key', 'api-key', 'x-tenant-id'], 'secret headers on the same origin')
    const other = await api.get<Echo>('/redirect', { query: { to: 'other' }, headers })
    equal([secretsSeen(other.data), other.data.headers['x-trace']], [[], 'keep'], '[secret headers on another origin, x-trace]')
    check(other.url.endsWith('/echo') && other.url !== same.url, `response.url: ${other.url} (same origin: ${same.url})`)
  },
  async 'redirects: 307 sends the POST and its body again, 303 turns it into a GET'(ctx) {
    await using api = keyed(ctx)
    const again = await api.post<Echo>('/redirect', { query: { to: 'other', status: 307 }, json: { n: 1 } })
    equal([again.data.method, again.data.body, secretsSeen(again.data)], ['POST', '{"n":1}', []], '307: [method, body, secrets]')
    const see = await api.post<Echo>('/redirect', { query: { status: 303 }, json: { n: 2 } })
    equal([see.data.method, see.data.body, see.data.headers['content-type']], ['GET', '', undefined], '303: [method, body, content-type]')
  },
  async 'MaxRedirectsError past maxRedirects, its Location redacted'(ctx) {
    await using api = keyed(ctx, { maxRedirects: 3 })
    const k = key()
    const error = await rejects(api.get('/loop', { query: { key: k, access_token: SECRET } }), 'GET /loop')
    checkError(error, 'MaxRedirectsError', 'FL_ERR_MAX_REDIRECTS')
    equal([error.limit, error.status], [3, 302], '[limit, status]')
    check(String(error.location).includes('access_token=***REDACTED***'), `location: ${String(error.location)}`)
    check(ctx.lib.core.isMaxRedirectsError(error), 'isMaxRedirectsError')
    await using plain = ctx.lib.core.createClient({ baseURL: ctx.url })
    equal((await plain.get<{ n: number }>('/count', { query: { key: `loop:${k}` } })).data.n, 4, 'requests sent')
  },
  async 'maxRedirects: 0 hands the 3xx back'(ctx) {
    await using api = keyed(ctx, { maxRedirects: 0 })
    const res = await api.get('/redirect', { query: { to: 'other' } })
    equal([res.status, res.headers.get('location')?.endsWith('/echo')], [302, true], '[status, location]')
  },
}
