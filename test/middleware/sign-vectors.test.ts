// The official AWS SigV4 test suite, as vendored in awslabs/aws-c-auth (tests/aws-signing-test-suite/v4,
// Apache-2.0; see test/fixtures/sigv4/README.md): every case's canonical request, string to sign,
// signature and Authorization header must come out byte for byte.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { authorization, type SigV4Scope, sha256Hex, signingKey, signParts } from '../../middleware/sigv4-canonical.js'
import * as web from '../../src/web/crypto.js'

const DIR = join(import.meta.dirname, '../fixtures/sigv4')
const cases = readdirSync(DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)

type Context = {
  credentials: { access_key_id: string; secret_access_key: string; token?: string }
  normalize: boolean
  region: string
  service: string
  sign_body: boolean
  omit_session_token?: boolean
  timestamp: string
}

/**
 * request.txt: `METHOD TARGET HTTP/1.1`, header lines (a line starting with white space continues
 * the one before: obs-fold, read as one space), an empty line, the body. The target is taken as
 * it stands, spaces and UTF-8 included: the suite's path is the one to encode.
 */
function parse(text: string): { method: string; path: string; query: string; headers: [string, string][]; body: string } {
  const [head = '', body = ''] = text.split(/\n\n/, 2) as [string, string]
  const [line = '', ...lines] = head.split('\n')
  const method = line.slice(0, line.indexOf(' '))
  const target = line.slice(method.length + 1, line.lastIndexOf(' HTTP/'))
  const at = target.indexOf('?')
  const headers: [string, string][] = []
  for (const field of lines) {
    if (field === '') continue
    const last = headers.at(-1)
    if (/^\s/.test(field) && last) last[1] += ` ${field.trim()}`
    else headers.push([field.slice(0, field.indexOf(':')), field.slice(field.indexOf(':') + 1)])
  }
  return { method, path: at === -1 ? target : target.slice(0, at), query: at === -1 ? '' : target.slice(at + 1), headers, body }
}

const read = (name: string, file: string): string => readFileSync(join(DIR, name, file), 'utf8')

describe('the AWS SigV4 test suite (aws-c-auth v4)', () => {
  it('has the cases the issue names', () => {
    for (const name of [
      'get-vanilla',
      'post-x-www-form-urlencoded',
      'get-slashes-normalized',
      'get-header-value-trim',
      'post-sts-header-before',
    ])
      expect(cases).toContain(name)
    expect(cases.length).toBe(38)
  })

  it.each(cases)('%s: canonical request, string to sign, signature and Authorization byte for byte', async (name) => {
    const context = JSON.parse(read(name, 'context.json')) as Context
    const request = parse(read(name, 'request.txt'))
    const amzDate = context.timestamp.replace(/[:-]/g, '')
    const payloadHash = await sha256Hex(request.body)
    const headers = [...request.headers, ['X-Amz-Date', amzDate] as [string, string]]
    const token = context.credentials.token
    if (token && !context.omit_session_token) headers.push(['X-Amz-Security-Token', token])
    if (context.sign_body) headers.push(['x-amz-content-sha256', payloadHash])
    const scope: SigV4Scope = { service: context.service, region: context.region, amzDate, path: 'escape', normalize: context.normalize }
    const key = await signingKey(context.credentials.secret_access_key, amzDate.slice(0, 8), context.region, context.service)
    const parts = await signParts({ ...request, headers, payloadHash }, scope, key)
    expect(parts.canonicalRequest).toBe(read(name, 'header-canonical-request.txt'))
    expect(parts.stringToSign).toBe(read(name, 'header-string-to-sign.txt'))
    expect(parts.signature).toBe(read(name, 'header-signature.txt'))
    const signed = /^Authorization:(.*)$/m.exec(read(name, 'header-signed-request.txt'))?.[1]
    expect(authorization(context.credentials.access_key_id, scope, parts)).toBe(signed)
    // The Web Crypto edge (Bun, workerd; Node and Deno take node:crypto) signs the same.
    let k = await web.hmac(await web.hmacKey(`AWS4${context.credentials.secret_access_key}`), amzDate.slice(0, 8))
    for (const part of [context.region, context.service, 'aws4_request']) k = await web.hmac(await web.hmacKey(k), part)
    expect(await web.hmacHex(await web.hmacKey(k), parts.stringToSign)).toBe(parts.signature)
    expect(await web.sha256Hex(parts.canonicalRequest)).toBe(parts.stringToSign.split('\n')[3])
  })
})
