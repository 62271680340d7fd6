import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One token request as the authorization server saw it. */
export type TokenHit = {
  form: Record<string, string>
  authorization: string | undefined
  /** How the client authenticated, and as whom (Basic decoded per RFC 6749 §2.3.1). */
  clientAuth: 'basic' | 'body' | 'none'
  clientId: string | undefined
  clientSecret: string | undefined
}

/** One script step of the token endpoint: issue a token, answer a status, or a §5.2 error. */
export type TokenStep = 'issue' | number | { status: number; json: unknown }

export type FakeOAuth2Options = {
  clientId?: string
  clientSecret?: string
  /** Seconds a token lives; `null` leaves `expires_in` out. @default 3600 */
  expiresIn?: number | null
  /** The token endpoint's answers by hit count (the last repeats). @default ['issue'] */
  script?: TokenStep[]
  /** Only this client authentication is accepted. @default either */
  accept?: 'basic' | 'body'
  tokenType?: string
}

export type FakeOAuth2 = {
  /** The token endpoint, on its own server (origin). */
  tokenURL: string
  /** The resource server's base URL: `GET /me` answers 200 for a live token, 401 otherwise. */
  apiURL: string
  tokenHits: TokenHit[]
  /** Every resource request's bearer token (or `undefined`), in order. */
  apiHits: Array<string | undefined>
  /** Tokens issued, in order. */
  issued: string[]
  /** Makes the resource server refuse `token` from now on. */
  revoke(token: string): void
  /** Revoke every token at once, even those issued later. */
  rejectAll: boolean
  close(): Promise<void>
}

const formDecode = (value: string): string => decodeURIComponent(value.replace(/\+/g, ' '))

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString()))
  })
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/**
 * A real authorization server (client-credentials grant, RFC 6749 §4.4) and a resource server that
 * checks its bearer tokens (RFC 6750), each on its own port. Tokens expire by the process clock.
 */
export async function startFakeOAuth2(options: FakeOAuth2Options = {}): Promise<FakeOAuth2> {
  const clientId = options.clientId ?? 'billing-service'
  const clientSecret = options.clientSecret ?? 'Zq-client-secret-1'
  const expiresIn = options.expiresIn === undefined ? 3600 : options.expiresIn
  const script = options.script ?? ['issue']
  const live = new Map<string, number>() // token → expiry (epoch ms)
  const state = {
    tokenHits: [] as TokenHit[],
    apiHits: [] as Array<string | undefined>,
    issued: [] as string[],
    rejectAll: false,
  }

  const auth = createServer(async (req, res) => {
    const form = Object.fromEntries(new URLSearchParams(await readBody(req)))
    const hit = identify(form, req.headers.authorization)
    state.tokenHits.push(hit)
    const step = script[Math.min(state.tokenHits.length - 1, script.length - 1)] as TokenStep
    if (typeof step === 'number') return json(res, step, { message: 'server error' })
    if (typeof step === 'object') return json(res, step.status, step.json)
    if (form.grant_type !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' })
    const wrongMethod = options.accept !== undefined && hit.clientAuth !== options.accept
    if (wrongMethod || hit.clientId !== clientId || hit.clientSecret !== clientSecret)
      return json(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' }, { 'www-authenticate': 'Basic' })
    const token = `tok-${state.issued.length + 1}-${Math.random().toString(36).slice(2, 10)}`
    state.issued.push(token)
    live.set(token, expiresIn === null ? Number.POSITIVE_INFINITY : Date.now() + expiresIn * 1000)
    json(res, 200, {
      access_token: token,
      token_type: options.tokenType ?? 'Bearer',
      ...(expiresIn === null ? {} : { expires_in: expiresIn }),
    })
  })
  const api = createServer((req, res) => {
    const header = req.headers.authorization
    const token = header?.startsWith('Bearer ') ? header.slice(7) : undefined
    state.apiHits.push(token)
    req.resume()
    const expires = token === undefined ? undefined : live.get(token)
    if (state.rejectAll || expires === undefined || expires <= Date.now())
      return json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' })
    json(res, 200, { ok: true, token: token?.split('-')[1] })
  })
  const [tokenBase, apiURL] = await Promise.all([listen(auth), listen(api)])
  return Object.assign(state, {
    tokenURL: `${tokenBase}/oauth/token`,
    apiURL,
    revoke: (token: string) => void live.delete(token),
    async close() {
      auth.closeAllConnections()
      api.closeAllConnections()
      await Promise.all([new Promise((r) => auth.close(r)), new Promise((r) => api.close(r))])
    },
  })
}

/** Who the client said it is: HTTP Basic (form-decoded id and secret) or the form body. */
function identify(form: Record<string, string>, authorization: string | undefined): TokenHit {
  if (authorization?.startsWith('Basic ')) {
    const pair = Buffer.from(authorization.slice(6), 'base64').toString()
    const colon = pair.indexOf(':')
    return {
      form,
      authorization,
      clientAuth: 'basic',
      clientId: formDecode(pair.slice(0, colon)),
      clientSecret: formDecode(pair.slice(colon + 1)),
    }
  }
  if (form.client_id !== undefined)
    return { form, authorization, clientAuth: 'body', clientId: form.client_id, clientSecret: form.client_secret }
  return { form, authorization, clientAuth: 'none', clientId: undefined, clientSecret: undefined }
}
