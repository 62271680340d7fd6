// paginate() against real node:http listings, on both cores. Cases from got's test/pagination.ts
// are cited by title; the Link grammar itself is in link.test.ts.
import type { OutgoingHttpHeaders } from 'node:http'
import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import { z } from 'zod'
import { retry } from '../../middleware/retry.js'
import {
  type ClientOptions,
  type ClientResponse,
  createClient,
  isPaginationError,
  type Middleware,
  PaginationError,
  paginate,
  ValidationError,
} from '../../src/index.js'
import { startServer, type TestServer } from '../helpers/server.js'

type Answer = { json?: unknown; link?: string | string[]; status?: number } | 'hang'

/** A listing server: `answer` gets the request's URL (absolute) and what the server has seen. */
async function listing(answer: (url: URL, server: TestServer) => Answer): Promise<TestServer> {
  const server: TestServer = await startServer((req, res) => {
    const reply = answer(new URL(req.url ?? '/', server.url), server)
    if (reply === 'hang') return
    const headers: OutgoingHttpHeaders = { 'content-type': 'application/json' }
    if (reply.link !== undefined) headers.link = reply.link
    res.writeHead(reply.status ?? 200, headers).end(JSON.stringify(reply.json ?? []))
  })
  return server
}

/** Pages by `?page=n` (1 when absent), each linking to the next with `link(n + 1)`. */
function numbered(
  pages: unknown[][],
  link = (n: number, server: TestServer): string | string[] => `<${server.url}/items?page=${n}>; rel="next"`,
) {
  return (url: URL, server: TestServer): Answer => {
    const n = Number(url.searchParams.get('page') ?? 1)
    return { json: pages[n - 1] ?? [], ...(n < pages.length ? { link: link(n + 1, server) } : {}) }
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}

const paths = (server: TestServer) => server.seen.map((seen) => seen.url)

for (const core of ['fetch', 'undici'] as const) {
  describe(`${core} core`, () => {
    const client = (baseURL: string, options: Partial<ClientOptions> = {}) => createClient({ baseURL, core, ...options })

    describe('Link paging', () => {
      it('follows absolute rel="next" links and yields every item (got: "retrieves all elements")', async () => {
        const server = await listing(numbered([[1, 2], [3, 4], [5]]))
        await using api = client(server.url)
        expect(await collect(paginate<number>(api, '/items'))).toEqual([1, 2, 3, 4, 5])
        expect(paths(server)).toEqual(['/items', '/items?page=2', '/items?page=3'])
      })

      it('resolves relative next links against the page URL (got: "retrieves all elements - relative url")', async () => {
        const links: Record<string, string> = {
          '/v1/items': '<?page=2>',
          '/v1/items?page=2': '<items?page=3>',
          '/v1/items?page=3': '</v1/items?page=4>',
        }
        const server = await listing((url) => {
          const link = links[url.pathname + url.search]
          return { json: [url.search || 'first'], ...(link ? { link: `${link}; rel=next` } : {}) }
        })
        await using api = client(`${server.url}/v1`)
        expect(await collect(paginate(api, '/items'))).toEqual(['first', '?page=2', '?page=3', '?page=4'])
        expect(paths(server)).toEqual(['/v1/items', '/v1/items?page=2', '/v1/items?page=3', '/v1/items?page=4'])
      })

      it('finds rel="next" among several links, rels and Link header lines, in any case', async () => {
        const server = await listing(
          numbered([[1], [2], [3]], (n, s) =>
            n === 2
              ? [`<${s.url}/items?page=1>; rel="prev first"`, `<${s.url}/items?page=${n}>; REL="Next Last"; title="a, b; c"`]
              : `<${s.url}/items?page=1>; rel=first, <${s.url}/items?page=${n}>; rel=next`,
          ),
        )
        await using api = client(server.url)
        expect(await collect(paginate(api, '/items'))).toEqual([1, 2, 3])
      })

      it('stops at a page whose Link has no next, or is empty (got: "the link header has no next value", "is empty")', async () => {
        const server = await listing((url) =>
          url.pathname === '/prev' ? { json: [1], link: '<https://example.com>; rel="prev"' } : { json: [2], link: '' },
        )
        await using api = client(server.url)
        expect(await collect(paginate(api, '/prev'))).toEqual([1])
        expect(await collect(paginate(api, '/empty'))).toEqual([2])
        expect(server.seen).toHaveLength(2)
      })

      it('goes on past an empty page that has a next link, and stops at an empty last page', async () => {
        const server = await listing(numbered([[1], [], [2], []]))
        await using api = client(server.url)
        expect(await collect(paginate(api, '/items'))).toEqual([1, 2])
        expect(server.seen).toHaveLength(4)
      })

      it('reads a page with no body (204) as an empty page', async () => {
        const server = await startServer([{ json: [1], headers: { link: '</items?page=2>; rel=next' } }, 204])
        await using api = client(server.url)
        expect(await collect(paginate(api, '/items'))).toEqual([1])
        expect(server.seen).toHaveLength(2)
      })

      it('refuses a next link on another origin, without requesting it', async () => {
        const server = await listing(() => ({ json: [1], link: '<http://localhost:1/items?page=2>; rel=next' }))
        await using api = client(server.url)
        const error = await collect(paginate(api, '/items')).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(PaginationError)
        expect(error).toMatchObject({ reason: 'origin', code: 'FL_ERR_PAGINATION' })
        expect(server.seen).toHaveLength(1)
      })
    })

    describe('next()', () => {
      it('pages by cursor: next returns { query: { cursor } }, merged over the first query (Slack style)', async () => {
        const cursors: Record<string, string> = { '': 'c2', c2: 'c3', c3: '' }
        const server = await listing((url) => {
          const cursor = url.searchParams.get('cursor') ?? ''
          return { json: { members: [cursor || 'first'], response_metadata: { next_cursor: cursors[cursor] } } }
        })
        await using api = client(server.url)
        type Members = { members: string[]; response_metadata: { next_cursor: string } }
        const members = paginate(api, '/users.list', {
          query: { limit: 2 },
          items: (response: ClientResponse<Members>) => response.data.members,
          next: (response) =>
            response.data.response_metadata.next_cursor && { query: { cursor: response.data.response_metadata.next_cursor } },
        })
        expect(await collect(members)).toEqual(['first', 'c2', 'c3'])
        expect(paths(server)).toEqual(['/users.list?limit=2', '/users.list?limit=2&cursor=c2', '/users.list?limit=2&cursor=c3'])
      })

      it('pages by page number, stopping at the first empty page', async () => {
        const server = await listing(
          numbered([
            [1, 2],
            [3, 4],
          ]),
        )
        await using api = client(server.url)
        const items = paginate<number>(api, '/items', {
          query: { page: 1, per_page: 2 },
          next: (_response, { page, items }) => items.length > 0 && { query: { page: page + 1 } },
        })
        expect(await collect(items)).toEqual([1, 2, 3, 4])
        expect(paths(server)).toEqual(['/items?page=1&per_page=2', '/items?page=2&per_page=2', '/items?page=3&per_page=2'])
      })

      it('follows a URL or path next() returns, resolved like a link (got: "supports relative string url values")', async () => {
        const server = await listing((url) => ({
          json: { results: [url.pathname + url.search], next: url.searchParams.has('page') ? null : '?page=2' },
        }))
        await using api = client(`${server.url}/api`)
        type Page = { results: string[]; next: string | null }
        const items = paginate(api, '/things', {
          query: { page_size: 5 },
          items: (response: ClientResponse<Page>) => response.data.results,
          next: (response) => response.data.next,
        })
        // The URL carries its own query: the first call's query is not added to it.
        expect(await collect(items)).toEqual(['/api/things?page_size=5', '/api/things?page=2'])
      })

      it('pages a POST listing by a cursor in the JSON body (Notion style)', async () => {
        const server = await startServer((req, res, seen) => {
          const cursor = (JSON.parse(seen.body.toString() || '{}') as { start_cursor?: string }).start_cursor
          res.writeHead(200, { 'content-type': 'application/json' })
          res.end(JSON.stringify({ results: [cursor ?? 'first'], next_cursor: cursor ? null : 'c2', method: req.method }))
        })
        await using api = client(server.url)
        type Page = { results: string[]; next_cursor: string | null }
        const items = paginate(api, '/databases/d1/query', {
          method: 'POST',
          json: { page_size: 10 },
          items: (response: ClientResponse<Page>) => response.data.results,
          next: (response) => response.data.next_cursor !== null && { json: { page_size: 10, start_cursor: response.data.next_cursor } },
        })
        expect(await collect(items)).toEqual(['first', 'c2'])
        expect(server.seen.map((seen) => seen.method)).toEqual(['POST', 'POST'])
      })
    })

    describe('items', () => {
      it('picks items out of wrapped data with items()', async () => {
        const server = await listing(() => ({ json: { data: [{ id: 1 }, { id: 2 }], has_more: false } }))
        await using api = client(server.url)
        const ids = []
        for await (const charge of paginate(api, '/charges', { items: (r: ClientResponse<{ data: { id: number }[] }>) => r.data.data })) {
          expectTypeOf(charge).toEqualTypeOf<{ id: number }>()
          ids.push(charge.id)
        }
        expect(ids).toEqual([1, 2])
      })

      it('rejects a page that is not a list, saying to pass items', async () => {
        const server = await listing(() => ({ json: { results: [1], next: null } }))
        await using api = client(server.url)
        const error = await collect(paginate(api, '/wrapped')).catch((e: unknown) => e)
        expect(isPaginationError(error)).toBe(true)
        expect(error).toMatchObject({ reason: 'not-a-list' })
        expect((error as Error).message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/wrapped: .*keys: results, next.*pass items/)
      })

      it('types items by a schema and validates every page (a bad page rejects with ValidationError)', async () => {
        const server = await listing(numbered([[{ id: 1 }], [{ id: 'two' }]]))
        await using api = client(server.url)
        const seen: number[] = []
        const walk = async () => {
          for await (const item of paginate(api, '/items', { schema: z.array(z.object({ id: z.number() })) })) {
            expectTypeOf(item).toEqualTypeOf<{ id: number }>()
            seen.push(item.id)
          }
        }
        await expect(walk()).rejects.toBeInstanceOf(ValidationError)
        expect(seen).toEqual([1])
      })
    })

    describe('limit', () => {
      it('stops mid-page at a limit of items, without requesting another page (got: "`countLimit` works")', async () => {
        const server = await listing(numbered([[1, 2, 3], [4, 5, 6], [7]]))
        await using api = client(server.url)
        expect(await collect(paginate(api, '/items', { limit: 4 }))).toEqual([1, 2, 3, 4])
        expect(server.seen).toHaveLength(2)
        expect(await collect(paginate(api, '/items', { limit: 3 }))).toEqual([1, 2, 3])
        expect(server.seen).toHaveLength(3)
        expect(await collect(paginate(api, '/items', { limit: 0 }))).toEqual([])
        expect(server.seen).toHaveLength(3)
      })

      it('yields responses with pages: true, limit counting pages', async () => {
        const server = await listing(numbered([[1, 2], [3], [4]]))
        await using api = client(server.url)
        const pages = await collect(paginate<number[]>(api, '/items', { pages: true, limit: 2 }))
        expectTypeOf(pages).toEqualTypeOf<ClientResponse<number[]>[]>()
        expect(pages.map((page) => [page.status, page.data, new URL(page.url).search])).toEqual([
          [200, [1, 2], ''],
          [200, [3], '?page=2'],
        ])
        expect(server.seen).toHaveLength(2)
      })

      it('rejects past maxRequests with more pages to go (got: "`requestLimit` works", but not silently)', async () => {
        const server = await listing(numbered([[1], [2], [3]]))
        await using api = client(server.url)
        const seen: unknown[] = []
        const error = await (async () => {
          for await (const item of paginate(api, '/items', { maxRequests: 2 })) seen.push(item)
        })().catch((e: unknown) => e)
        expect(error).toMatchObject({ reason: 'max-requests' })
        expect(seen).toEqual([1, 2])
        expect(server.seen).toHaveLength(2)
        expect(await collect(paginate(api, '/items', { maxRequests: 3 }))).toEqual([1, 2, 3])
      })
    })

    describe('loops', () => {
      it('rejects a next link fetched already, its secret query values redacted', async () => {
        const server = await listing((url, s) => ({
          json: [url.searchParams.get('page')],
          link: `<${s.url}/items?page=${url.searchParams.get('page') === '1' ? 2 : 1}&access_token=s3cret>; rel=next`,
        }))
        await using api = client(server.url)
        const error = await collect(paginate(api, '/items', { query: { page: 1, access_token: 's3cret' } })).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(PaginationError)
        expect(error).toMatchObject({ reason: 'loop', request: { method: 'GET' } })
        expect((error as Error).message).toContain('fetched already')
        expect(`${(error as Error).message} ${JSON.stringify(error)} ${(error as Error).stack}`).not.toContain('s3cret')
        expect(server.seen).toHaveLength(2)
      })

      it('rejects next options fetched already (a cursor that repeats)', async () => {
        const server = await listing(() => ({ json: { items: [1], cursor: 'same' } }))
        await using api = client(server.url)
        const walk = paginate(api, '/items', {
          items: (r: ClientResponse<{ items: number[]; cursor: string }>) => r.data.items,
          next: (r) => ({ query: { cursor: r.data.cursor } }),
        })
        await expect(collect(walk)).rejects.toMatchObject({ reason: 'loop' })
        expect(paths(server)).toEqual(['/items', '/items?cursor=same'])
      })
    })

    describe('stopping', () => {
      it('rejects with the abort reason when the signal aborts a page in flight, and asks for no more', async () => {
        const server = await listing((url, s) => (url.searchParams.has('page') ? 'hang' : numbered([[1], [2]])(url, s)))
        await using api = client(server.url)
        const controller = new AbortController()
        const walk = paginate(api, '/items', { signal: controller.signal })
        expect(await walk.next()).toEqual({ done: false, value: 1 })
        const pending = walk.next()
        await vi.waitFor(() => expect(server.seen).toHaveLength(2))
        const reason = new Error('shutting down')
        controller.abort(reason)
        await expect(pending).rejects.toBe(reason)
        expect(await walk.next()).toEqual({ done: true, value: undefined })
        expect(server.seen).toHaveLength(2)
      })

      it('rejects with the abort reason between pages, before the next request', async () => {
        const server = await listing(numbered([[1, 2], [3]]))
        await using api = client(server.url)
        const controller = new AbortController()
        const walk = paginate(api, '/items', { signal: controller.signal })
        expect(await walk.next()).toEqual({ done: false, value: 1 })
        controller.abort(new Error('enough'))
        await expect(walk.next()).rejects.toThrow('enough')
        expect(server.seen).toHaveLength(1)
      })

      it('stops at break, with no further request', async () => {
        const server = await listing(numbered([[1, 2], [3]]))
        await using api = client(server.url)
        for await (const item of paginate(api, '/items')) if (item === 2) break
        expect(server.seen).toHaveLength(1)
      })
    })

    describe('the pipeline', () => {
      it('sends every page through the middleware, and retries a page that answered 503', async () => {
        let hits = 0
        const server = await listing((url, s) =>
          url.search === '?page=2' && hits++ === 0 ? { status: 503 } : numbered([[1], [2], [3]])(url, s),
        )
        const sent: string[] = []
        const count: Middleware = async function count(request, next) {
          sent.push(request.url.search)
          return next(request)
        }
        await using api = client(server.url, { middleware: [count, retry({ maxRetries: 2, sleep: async () => {} })] })
        expect(await collect(paginate(api, '/items'))).toEqual([1, 2, 3])
        expect(sent).toEqual(['', '?page=2', '?page=3'])
        expect(paths(server)).toEqual(['/items', '/items?page=2', '/items?page=2', '/items?page=3'])
      })
    })
  })
}

describe('bad input', () => {
  const api = createClient({ baseURL: 'http://127.0.0.1:1' })

  it('throws at the call, saying what to fix', () => {
    expect(() => paginate(api, 42 as unknown as string)).toThrow(/path must be a string such as '\/items', got 42/)
    expect(() => paginate(api, '/items', { limit: -1 })).toThrow(/limit must be a whole number >= 0 .*got -1/)
    expect(() => paginate(api, '/items', { limit: 2.5 })).toThrow(TypeError)
    expect(() => paginate(api, '/items', { maxRequests: 0 })).toThrow(/maxRequests must be a whole number >= 1/)
    expect(() => paginate(api, '/items', { next: 'cursor' as never })).toThrow(/next must be a function/)
    expect(() => paginate(api, '/items', { items: [] as never })).toThrow(/items must be a function/)
    expect(() => paginate(api, '/items', { limt: 5 } as never)).toThrow(/unknown option "limt"; did you mean "limit"\?/)
    expect(() => paginate({} as never, '/items')).toThrow(/needs a client/)
  })

  it('rejects next() answering something that is neither options, a URL nor a stop', async () => {
    const server = await listing(() => ({ json: [1] }))
    await using client = createClient({ baseURL: server.url })
    await expect(collect(paginate(client, '/items', { next: () => true as never }))).rejects.toThrow(/next\(\) must return request options/)
    await expect(collect(paginate(client, '/items', { next: () => ({ qeury: {} }) as never }))).rejects.toThrow(/did you mean "query"/)
  })
})
