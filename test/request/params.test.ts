// How a `params` value becomes its path segment (src/request/params.ts), on both cores, against a real
// node:http server that records the request target as it came off the wire.
//
// Ported, in our own words, from:
// - openapi-fetch's path-parameter tests (openapi-ts/openapi-typescript,
//   packages/openapi-fetch/test/common/params.test.ts, "serializes", "escapes reserved characters
//   in path segment", "does not escape allowed characters in path segment", "allows UTF-8
//   characters"): the `style: simple` rows only, the one style a template without RFC 6570
//   operators names.
// - RFC 6570 §3.2.2 (simple string expansion) examples: `{list}` → `red,green,blue`, `{keys}` →
//   `semi,%3B,dot,.,comma,%2C`; and OpenAPI 3.1's style table (`blue,black,brown`, `R,100,G,200,B,150`).
// - The 2026 dot-segment fixes in vendors' SDKs: Stainless's `path` tag (openai/openai-node
//   src/internal/utils/path.ts: `.`/`..`/`%2e` segments refused), anthropics/anthropic-sdk-java#379
//   (`..` moved a call to `/v1/`), google/adk-python#7065 (`..%2F..%2Fadmin` through servers that
//   decode `%2F`; nginx does, see test/params.nginx.test.ts).
import { describe, expect, it } from 'vitest'
import { type ClientOptions, createClient, isValidationError, ValidationError } from '../../src/index.js'
import { echo, startServer, type TestServer } from '../helpers/server.js'

type Echo = { url: string }

for (const core of ['fetch', 'undici'] as const) {
  describe(`params, ${core} core`, () => {
    const client = (server: TestServer, options: Partial<ClientOptions> = {}) =>
      createClient({ baseURL: `${server.url}/v1`, core, ...options })
    /** The segment the server got for `{id}` in `/v1/users/{id}/orders`. */
    const sent = async (id: unknown): Promise<string> => {
      const server = await startServer(echo)
      await using api = client(server)
      const { data } = await api.get<Echo>('/users/{id}/orders', { params: { id } as never })
      const segment = /^\/v1\/users\/([^/?#]*)\/orders$/.exec(data.url)?.[1]
      expect(segment, `the path the server got: ${data.url}`).toBeDefined()
      return segment as string
    }
    /** The error a call rejects with, and that nothing reached the server. */
    const refused = async (params: Record<string, unknown>, path = '/users/{id}/orders'): Promise<Error> => {
      const server = await startServer(echo)
      await using api = client(server)
      const error = await api.get(path, { params: params as never }).then(
        () => new Error('sent'),
        (e: unknown) => e as Error,
      )
      expect(server.seen).toEqual([])
      return error
    }

    describe('a value never changes which path is requested', () => {
      it('refuses "." and ".." with a ValidationError naming the parameter, before anything is sent', async () => {
        for (const id of ['.', '..']) {
          const error = await refused({ id })
          expect(error).toBeInstanceOf(ValidationError)
          expect(isValidationError(error)).toBe(true)
          const { status, issues, code, request, message } = error as ValidationError
          expect({ status, code, request }).toEqual({ status: undefined, code: 'FL_ERR_VALIDATION', request: undefined })
          expect(issues).toEqual([{ message: expect.stringContaining(`is "${id}"`), path: ['params', 'id'] }])
          expect(message).toMatch(/^GET \/users\/\{id\}\/orders was not sent: params\.id: is "\.\.?": .*dot segment.*another path/)
        }
      })

      it('refuses a value with a dot segment between "/" or "\\": a server decoding %2F or %5C would resolve it', async () => {
        for (const id of ['../admin', 'a/../../admin', 'x/.', './x', '..\\admin', 'a\\..', '..%2Fadmin', '..%5cadmin']) {
          const error = await refused({ id })
          expect(error, id).toBeInstanceOf(ValidationError)
          expect((error as ValidationError).issues[0]?.message).toMatch(/^has a "\.\.?" segment between "\/" or "\\"/)
        }
      })

      it('refuses dot segments written percent-encoded or as Unicode dots a server may fold (NFKC)', async () => {
        // U+FF0E fullwidth, U+2024 one-dot leader, U+FE52 small full stop, U+2025 two-dot leader; ％２ｅ.
        for (const id of ['%2e', '%2E%2e', '.%2E', '\uFF0E\uFF0E', '\u2024', '\uFE52.', '\u2025', '\uFF05\uFF12\uFF45', 'a/%2e%2e']) {
          const error = await refused({ id })
          expect(error, id).toBeInstanceOf(ValidationError)
        }
      })

      it('refuses an empty value: `//` is another path to most servers (nginx merges it)', async () => {
        for (const id of ['', [], {}, { a: undefined, b: null }]) {
          const error = await refused({ id })
          expect(error, JSON.stringify(id)).toBeInstanceOf(ValidationError)
          expect((error as ValidationError).issues[0]?.message).toMatch(/^is empty/)
        }
      })

      it('refuses a value of only "/" or "\\": nginx decodes %2F and merges the segment away', async () => {
        for (const id of ['/', '//', '\\', '/\\', '%2F', ['/']]) {
          const error = await refused({ id })
          expect(error, JSON.stringify(id)).toBeInstanceOf(ValidationError)
          expect((error as ValidationError).issues[0]?.message).toMatch(/^is only "\/" or "\\"/)
        }
      })

      it('refuses a dot segment made of a list too, and judges the one segment a list makes', async () => {
        expect(await refused({ id: ['..'] })).toBeInstanceOf(ValidationError)
        expect(await sent(['a', '..'])).toBe('a,..') // one segment "a,..": not a dot segment
      })

      it('sends every other character inside its own segment: / \\ ? # % space, controls, dots among others', async () => {
        const values = [
          'a/b',
          'a\\b',
          '?x=1',
          '#top',
          '%2e%2e%2',
          '%252e',
          '...',
          '..a',
          'a..',
          '.env',
          ' ',
          '\t\r\n\0',
          '\u3002\u3002',
          '🥴',
          'é',
        ]
        for (const value of values) {
          const segment = await sent(value)
          expect(segment, JSON.stringify(value)).toBe(encodeURIComponent(value))
          expect(decodeURIComponent(segment)).toBe(value)
        }
      })

      it('never echoes a refused value in the error: it may be a secret', async () => {
        const error = (await refused({ token: 'sk-live-42/../x' }, '/bot{token}/send')) as ValidationError
        expect(`${error.message}${JSON.stringify(error)}${error.stack}`).not.toContain('sk-live-42')
        expect(error.issues[0]?.path).toEqual(['params', 'token'])
      })

      it('keeps a literal query of the template out of the message', async () => {
        const error = await refused({ id: '..' }, '/users/{id}?key=sk-live-42')
        expect(error.message).toMatch(/^GET \/users\/\{id\} was not sent/)
      })
    })

    describe("lists, objects and dates: OpenAPI's style simple", () => {
      it('sends a list as 1,2,3: each item percent-encoded, the commas literal (never 1%2C2%2C3)', async () => {
        expect(await sent([1, 2, 3])).toBe('1,2,3')
        expect(await sent(['a,b', 'c d', 'e/f'])).toBe('a%2Cb,c%20d,e%2Ff')
        expect(await sent(['red', 'green', 'blue'])).toBe('red,green,blue') // RFC 6570 §3.2.2 {list}
      })

      it('sends a flat object as key,value pairs (explode false), never [object Object]', async () => {
        expect(await sent({ a: 'b', c: 'd' })).toBe('a,b,c,d') // openapi-fetch simple_obj_flat
        expect(await sent({ R: 100, G: 200, B: 150 })).toBe('R,100,G,200,B,150') // OpenAPI's style table
        expect(await sent({ semi: ';', dot: '.', comma: ',' })).toBe('semi,%3B,dot,.,comma,%2C') // RFC 6570 §3.2.2 {keys}
        expect(await sent({ 'a b': 1, skip: undefined, none: null })).toBe('a%20b,1')
      })

      it('sends a Date in ISO 8601, as query sends it', async () => {
        const when = new Date(Date.UTC(2026, 11, 7, 12, 30, 5, 42))
        const server = await startServer(echo)
        await using api = client(server)
        const { data } = await api.get<Echo>('/at/{when}', { params: { when }, query: { when } })
        const url = new URL(data.url, server.url)
        expect(decodeURIComponent(url.pathname.split('/')[3] ?? '')).toBe('2026-12-07T12:30:05.042Z')
        expect(url.searchParams.get('when')).toBe('2026-12-07T12:30:05.042Z')
        expect(await sent([when, when])).toBe('2026-12-07T12%3A30%3A05.042Z,2026-12-07T12%3A30%3A05.042Z')
      })

      it('refuses what a segment cannot hold with a TypeError naming it: nested lists or objects, functions, symbols, class instances', async () => {
        const cases: [unknown, RegExp][] = [
          [[[1, 2]], /params\.id\[0\] must be .* got a Array/],
          [[1, undefined], /params\.id\[1\] must be .* got undefined/],
          [{ a: { b: 1 } }, /params\.id\.a must be .* got a Object/],
          [() => 1, /params\.id must be .* got a function/],
          [Symbol('id'), /params\.id must be .* got symbol/],
          [new Map([['a', 1]]), /params\.id must be .* got a Map; pass String\(value\)/],
        ]
        for (const [id, message] of cases) {
          const error = await refused({ id })
          expect(error).toBeInstanceOf(TypeError)
          expect(error.message).toMatch(message)
        }
      })

      it('refuses an invalid Date, NaN, an infinity and a lone surrogate with a ValidationError', async () => {
        expect(((await refused({ id: new Date(Number.NaN) })) as ValidationError).issues[0]?.message).toMatch(/invalid Date/)
        // `/users/NaN` is no user: a number that is none came from a bug (parseInt of bad input).
        for (const id of [Number.NaN, Number.POSITIVE_INFINITY, [1, Number.NEGATIVE_INFINITY]]) {
          const error = (await refused({ id })) as ValidationError
          expect(error.issues[0]?.message, String(id)).toMatch(/is (NaN|-?Infinity), which names no resource/)
        }
        expect(((await refused({ id: 'a\uD800' })) as ValidationError).issues[0]?.message).toMatch(/lone surrogate/)
      })
    })

    describe("openapi-fetch's cases", () => {
      it('escapes reserved characters in a path segment', async () => {
        expect(await sent(';/?:@&=+$,# ')).toBe('%3B%2F%3F%3A%40%26%3D%2B%24%2C%23%20')
      })

      it('does not escape the unreserved characters', async () => {
        expect(await sent("aAzZ09-_.!~*'()")).toBe("aAzZ09-_.!~*'()")
      })

      it('sends UTF-8, percent-encoded', async () => {
        expect(await sent('🥴')).toBe('%F0%9F%A5%B4')
      })

      it('serializes a primitive, a flat object and a list in one path, and keeps the template as route', async () => {
        const server = await startServer(echo)
        await using api = client(server)
        const params = { simple_primitive: 'simple', simple_obj_flat: { a: 'b', c: 'd' }, simple_arr_flat: [1, 2, 3] }
        const res = await api.get<Echo>('/path-params/{simple_primitive}/{simple_obj_flat}/{simple_arr_flat}', { params })
        expect(res.data.url).toBe('/v1/path-params/simple/a,b,c,d/1,2,3')
        expect(res.request.route).toBe('/path-params/{simple_primitive}/{simple_obj_flat}/{simple_arr_flat}')
      })
    })

    it('hides a secret param as sent, a list and a Date too (its name is a secret query name)', async () => {
      const server = await startServer(500)
      await using api = client(server)
      for (const token of [['a b', 'c'], new Date(0), 'x y']) {
        const error = await api.get('/bot{token}/send', { params: { token } }).then(
          () => new Error('answered'),
          (e: unknown) => e as Error,
        )
        const shown = `${error.message}${JSON.stringify(error)}`
        expect(shown).toContain('/bot***REDACTED***/send')
        for (const text of ['a%20b,c', 'a b,c', '1970-01-01T00%3A00%3A00.000Z', 'x%20y']) expect(shown).not.toContain(text)
      }
    })
  })
}
