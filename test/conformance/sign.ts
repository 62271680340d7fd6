// sigv4() on every runtime: signing on Web Crypto alone, checked again by the conformance server
// (sign-routes.ts), with a retry signed afresh, a clock corrected from RequestTimeTooSkewed and a
// stream sent to S3 as UNSIGNED-PAYLOAD.
import { type Case, type Context, check, equal } from './assert.js'

// The server's key pair for these cases (sign-routes.ts): test credentials, nothing else.
const credentials = {
  accessKeyId: 'AKIDCONFORMANCE',
  secretAccessKey: 'conformance/SecretAccessKey+EXAMPLE0123456',
  sessionToken: 'conf-session-token',
}
type Answer = { ok: boolean; reason?: string; n: number; date: string; payload?: string; body?: string; token?: string }

const key = (): string => Math.random().toString(36).slice(2)

function signed({ url, lib }: Context, service = 'execute-api', region = 'eu-west-1', retried = false) {
  const { retry, sigv4 } = lib.middleware
  const signer = sigv4({ service, region, credentials: async () => credentials })
  return lib.core.createClient({ baseURL: url, middleware: retried ? [retry({ delay: 0, jitter: false }), signer] : [signer] })
}

export const signCases: Record<string, Case> = {
  async 'sigv4(): a GET with a query, a JSON POST, bytes and a form are verified by the server'(ctx) {
    await using api = signed(ctx)
    const answers = [
      await api.get<Answer>('/sigv4', { query: { key: key(), q: 'a b', 'é~': "it's" } }),
      await api.post<Answer>('/sigv4', { query: { key: key() }, json: { name: 'ünïcode' } }),
      await api.put<Answer>('/sigv4', { query: { key: key() }, body: new Uint8Array([0, 159, 255]) }),
      await api.post<Answer>('/sigv4', { query: { key: key() }, form: { a: '1', b: 'x y' } }),
    ]
    for (const { data } of answers) check(data.ok, `the server refused a signature: ${data.reason}`)
    equal(answers[0]?.data.token, credentials.sessionToken, 'the session token sent')
    equal(answers[1]?.data.body, '{"name":"ünïcode"}', 'the JSON body as sent')
  },
  async 'sigv4(): a retry after a 503 carries a new X-Amz-Date and signature'(ctx) {
    await using api = signed(ctx, 'execute-api', 'eu-west-1', true)
    const res = await api.get<Answer>('/sigv4', { query: { key: key(), fail: 1 } })
    check(res.data.ok, `the retried attempt's signature was refused: ${res.data.reason}`)
    equal([res.status, res.data.n, res.request.attempt], [200, 2, 1], '[status, hits, attempt]')
  },
  async 'sigv4(): the clock is corrected from a RequestTimeTooSkewed 403 (server 20 min ahead)'(ctx) {
    await using api = signed(ctx, 's3', 'us-east-1')
    const ahead = 20 * 60_000
    const k = key()
    const first = await api.get<Answer>('/sigv4-s3', { query: { key: k, ahead } })
    check(first.data.ok, `refused after the correction: ${first.data.reason}`)
    equal(first.data.n, 2, 'hits: the refused one, then the one signed again')
    const next = await api.get<Answer>('/sigv4-s3', { query: { key: k, ahead } })
    equal([next.data.ok, next.data.n], [true, 3], 'the next call is signed with the corrected clock at once')
  },
  async 'sigv4(): a stream body goes to S3 as UNSIGNED-PAYLOAD'(ctx) {
    await using api = signed(ctx, 's3', 'us-east-1')
    const chunks = ['one,', 'two']
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift()
        if (next === undefined) controller.close()
        else controller.enqueue(new TextEncoder().encode(next))
      },
    })
    const { data } = await api.put<Answer>('/sigv4-s3', { query: { key: key() }, body })
    check(data.ok, `refused: ${data.reason}`)
    equal([data.payload, data.body], ['UNSIGNED-PAYLOAD', 'one,two'], '[payload, body]')
  },
}
