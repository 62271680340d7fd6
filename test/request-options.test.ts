// A call's options (issue 12, items 6, 9, 10): undefined means the default, a typo fails with a
// suggestion, and a {placeholder} never goes out unfilled.
import { describe, expect, it } from 'vitest'
import { type ClientOptions, createClient } from '../src/index.js'
import { startServer } from './helpers/server.js'

for (const core of ['fetch', 'undici'] as const) {
  describe(`request options, ${core} core`, () => {
    it('refuses a path with {placeholders} and no params, saying what to pass (it used to send %7Bid%7D)', async () => {
      const server = await startServer(200)
      await using api = createClient({ baseURL: server.url, core })
      await expect(api.get('/users/{id}')).rejects.toThrow(
        'path "/users/{id}" has a {id} placeholder but no options.params: pass { params: { id: … } }, or percent-encode a literal brace as %7B and %7D',
      )
      expect(server.seen).toHaveLength(0)
    })

    it('sends a percent-encoded brace as it is', async () => {
      const server = await startServer(200)
      await using api = createClient({ baseURL: server.url, core })
      await api.get('/files/%7Bdraft%7D')
      expect(server.seen[0]?.url).toBe('/files/%7Bdraft%7D')
    })

    it('refuses an unknown option with the nearest known one, and sends nothing', async () => {
      const server = await startServer(200)
      await using api = createClient({ baseURL: server.url, core })
      await expect(api.get('/', { qurey: { a: 1 } } as never)).rejects.toThrow(
        'request options: unknown option "qurey"; did you mean "query"?',
      )
      expect(server.seen).toHaveLength(0)
    })

    it('takes every option set to undefined as not given', async () => {
      const server = await startServer({ json: { ok: true } })
      await using api = createClient({ baseURL: server.url, core, throwHttpErrors: undefined } as unknown as ClientOptions)
      const options = {
        ...{ query: undefined, params: undefined, headers: undefined, json: undefined, form: undefined, body: undefined },
        ...{ timeout: undefined, signal: undefined, responseType: undefined, throwHttpErrors: undefined, context: undefined },
        schema: undefined,
      }
      expect((await api.get('/', options as never)).data).toEqual({ ok: true })
      expect(server.seen[0]?.url).toBe('/')
    })
  })
}
