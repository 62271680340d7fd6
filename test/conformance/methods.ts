// Methods, the same on every runtime (issue 23, item 8): fetch forbids CONNECT, TRACE and TRACK, so
// fetchline refuses them before sending, whichever fetch is underneath; a lower-case method goes out
// upper-case, an extension method as written.
import { type Case, type Context, check, equal, rejects } from './assert.js'

type Echo = { method: string }

const client = ({ url, lib }: Context) => lib.core.createClient({ baseURL: url })

export const methods: Record<string, Case> = {
  async 'methods: CONNECT, TRACE and TRACK are refused before sending, with a TypeError naming the method'(ctx) {
    await using api = client(ctx)
    const key = `forbidden-${ctx.runtime}-${Date.now()}`
    for (const method of ['CONNECT', 'TRACE', 'TRACK', 'trace']) {
      const error = await rejects(api.request(method, '/hit', { query: { key } }), method)
      equal(error.name, 'TypeError', `${method}: error name`)
      check(error.message.includes(`method ${method.toUpperCase()} is not sent`), `${method}: message ${error.message}`)
    }
    equal((await api.get<{ n: number }>('/count', { query: { key } })).data.n, 0, 'requests that reached the server')
  },
  async 'methods: lower-case goes out upper-case, an extension method as written'(ctx) {
    await using api = client(ctx)
    const sent = []
    for (const method of ['patch', 'propfind', 'PROPFIND', 'QUERY']) sent.push((await api.request<Echo>(method, '/echo')).data.method)
    equal(sent, ['PATCH', 'PROPFIND', 'PROPFIND', 'QUERY'], 'methods the server saw')
  },
}
