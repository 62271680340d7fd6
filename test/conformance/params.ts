// `params` on every runtime: a value never changes which path is requested (".", "..", "../x" and
// an empty value are refused before anything is sent; the rest stays in its segment as the
// runtime's fetch puts it on the wire), and lists, objects and dates go as OpenAPI's style simple.
// The Node suites (test/params.test.ts, test/params.nginx.test.ts) say why each rule is there.
import { type Case, type Context, check, equal, rejects } from './assert.js'

/** The server's answer to a path it has no route for: the path, and the request target as sent. */
type Missing = { path: string; url: string }

const client = ({ url, lib }: Context) => lib.core.createClient({ baseURL: url, throwHttpErrors: false })

export const params: Record<string, Case> = {
  async 'params: ".", "..", "../x" and "" are refused with ValidationError, nothing sent'(ctx) {
    await using api = client(ctx)
    const key = `params-${ctx.runtime}-${Math.random()}`
    // Were `{id}` "..", `/{id}/hit` would be `/hit`, which counts the calls under `key`.
    for (const id of ['.', '..', 'x/../..', '../hit', '', '/']) {
      const error = await rejects(api.get('/{id}/hit', { params: { id }, query: { key } }), JSON.stringify(id))
      equal([error.name, error.code, error.status], ['ValidationError', 'FL_ERR_VALIDATION', undefined], `${JSON.stringify(id)}: error`)
      equal((error.issues as { path: string[] }[])[0]?.path, ['params', 'id'], `${JSON.stringify(id)}: issue path`)
    }
    const { data } = await api.get<{ n: number }>('/count', { query: { key } })
    equal(data.n, 0, 'calls that reached /hit')
  },
  async 'params: every other value stays in its one segment on the wire'(ctx) {
    await using api = client(ctx)
    for (const id of ['a/b', 'a\\b', '?x=1', '#top', '%2e%2e%2', '%252e', '...', '..a', ' \t', '\u3002\u3002', '🥴']) {
      const { data } = await api.get<Missing>('/seg/{id}/end', { params: { id } })
      equal(data.url, `/seg/${encodeURIComponent(id)}/end`, `${JSON.stringify(id)}: the request target`)
    }
  },
  async 'params: lists, flat objects and dates go as style simple (1,2,3; a,b,c,d; ISO 8601)'(ctx) {
    await using api = client(ctx)
    const when = new Date(Date.UTC(2026, 11, 7, 12, 30, 5, 42))
    const { data } = await api.get<Missing>('/seg/{list}/{object}/{when}', {
      params: { list: [1, 'a b', 'c,d'], object: { a: 'b', c: 'd' }, when },
    })
    equal(data.url, '/seg/1,a%20b,c%2Cd/a,b,c,d/2026-12-07T12%3A30%3A05.042Z', 'the request target')
    const error = await rejects(api.get('/seg/{id}', { params: { id: { nested: { no: 1 } } as never } }), 'a nested object')
    check(error instanceof TypeError && /params\.id\.nested must be/.test(error.message), `a nested object: ${error.message}`)
  },
}
