// Requests and responses: every verb, every kind of body both ways, params and query.
import { type Case, type Context, check, equal } from './assert.js'

type Echo = { method: string; url: string; headers: Record<string, string>; body: string }

const client = ({ url, lib }: Context) => lib.core.createClient({ baseURL: url })

export const requests: Record<string, Case> = {
  async 'every verb reaches the server'(ctx) {
    await using api = client(ctx)
    for (const verb of ['get', 'post', 'put', 'patch', 'delete', 'options'] as const) {
      const { data } = await api[verb]<Echo>('/echo')
      equal(data.method, verb.toUpperCase(), `${verb}: method`)
    }
    const head = await api.head('/echo')
    equal([head.status, head.data], [200, undefined], 'head: [status, data]')
    const custom = await api.request<Echo>('PROPFIND', '/echo')
    equal(custom.data.method, 'PROPFIND', 'request(): method')
  },
  async 'params and query'(ctx) {
    await using api = client(ctx)
    const res = await api.get<Echo>('/{what}', { params: { what: 'echo' }, query: { tag: ['a', 'b'], n: 1, skip: undefined, q: 'x y/z' } })
    equal(res.data.url, '/echo?tag=a&tag=b&n=1&q=x%20y%2Fz', 'url the server saw')
    equal(res.request.route, '/{what}', 'request.route')
  },
  async 'query formats, the baseURL query, and header pairs'(ctx) {
    await using api = ctx.lib.core.createClient({ baseURL: `${ctx.url}/?v=1`, queryFormat: { array: 'brackets' } })
    const query = { ids: [1, 2], filter: { name: 'a b' } }
    const res = await api.get<Echo>('/echo', {
      query,
      headers: [
        ['x-tag', 'a'],
        ['x-tag', 'b'],
      ],
    })
    equal(res.data.url, '/echo?v=1&ids%5B%5D=1&ids%5B%5D=2&filter%5Bname%5D=a%20b', 'url the server saw')
    equal(res.data.headers['x-tag'], 'a, b', 'x-tag the server saw')
    const plus = await api.get<Echo>('/echo', { query: { q: 'a b' }, queryFormat: { space: '+' } })
    equal(plus.data.url, '/echo?v=1&q=a+b', 'url with space: +')
  },
  async 'JSON body'(ctx) {
    await using api = client(ctx)
    const { data } = await api.post<Echo>('/echo', { json: { a: 1, b: ['ü'] } })
    equal([data.headers['content-type'], data.body], ['application/json', '{"a":1,"b":["ü"]}'], '[content-type, body]')
  },
  async 'form body'(ctx) {
    await using api = client(ctx)
    const { data } = await api.post<Echo>('/echo', { form: { a: 'x y', b: [1, 2] } })
    check(
      String(data.headers['content-type']).startsWith('application/x-www-form-urlencoded'),
      `content-type ${data.headers['content-type']}`,
    )
    equal(data.body, 'a=x+y&b=1&b=2', 'body')
  },
  async 'multipart body (FormData)'(ctx) {
    await using api = client(ctx)
    const form = new FormData()
    form.set('field', 'value')
    form.set('file', new Blob(['file bytes'], { type: 'text/plain' }), 'a.txt')
    const { data } = await api.put<Echo>('/echo', { body: form })
    const boundary = /boundary=(.+)$/.exec(String(data.headers['content-type']))?.[1]
    check(boundary, `multipart content-type: ${data.headers['content-type']}`)
    const parsed = await new Response(data.body, { headers: { 'content-type': String(data.headers['content-type']) } }).formData()
    equal([parsed.get('field'), await (parsed.get('file') as Blob).text()], ['value', 'file bytes'], '[field, file]')
  },
  async 'streamed request body'(ctx) {
    await using api = client(ctx)
    const chunks = ['one,', 'two,', 'three']
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift()
        if (next === undefined) controller.close()
        else controller.enqueue(new TextEncoder().encode(next))
      },
    })
    const { data } = await api.post<Echo>('/echo', { body: stream })
    equal(data.body, 'one,two,three', 'body')
  },
  async 'streamed response body'(ctx) {
    await using api = client(ctx)
    const res = await api.get<ReadableStream<Uint8Array>>('/stream', { responseType: 'stream' })
    let text = ''
    const decoder = new TextDecoder()
    for await (const chunk of res.data as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true })
    equal(text, 'chunk0;chunk1;chunk2;chunk3;chunk4;', 'streamed text')
  },
  async 'multipart response, read as a blob'(ctx) {
    await using api = client(ctx)
    const res = await api.get<Blob>('/multipart', { responseType: 'blob' })
    const form = await new Response(res.data, { headers: { 'content-type': res.headers.get('content-type') ?? '' } }).formData()
    equal([form.get('a'), form.get('b')], ['one', 'two'], 'parts')
  },
}
