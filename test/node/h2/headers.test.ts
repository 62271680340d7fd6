// The header mapping of src/node/h2/headers.ts: undici's dispatch header shapes to an HTTP/2
// header block (RFC 9113 §8.2.2 connection-specific fields, §8.2.3 cookie, §8.3.1 :authority), and
// node:http2's response headers back to what undici's handlers read.
import { describe, expect, it } from 'vitest'
import { rawHeaders, requestHeaders, responseHeaders } from '../../../src/node/h2/headers.js'

const base = { origin: 'https://api.example', path: '/v1/items?page=2', method: 'POST' } as const

describe('requestHeaders', () => {
  it('puts the pseudo-headers first, from the method, the path and the origin', () => {
    expect(requestHeaders({ ...base, headers: null }, 'api.example', undefined)).toEqual({
      ':method': 'POST',
      ':path': '/v1/items?page=2',
      ':scheme': 'https',
      ':authority': 'api.example',
    })
  })

  it('reads a flat array (the undici core), a record (undici fetch) and pairs alike, lower-cased', () => {
    const shapes = [
      ['X-Trace', 'a', 'Accept', 'json'],
      { 'X-Trace': 'a', Accept: 'json' },
      [
        ['X-Trace', 'a'],
        ['Accept', 'json'],
      ],
    ]
    for (const headers of shapes) {
      const block = requestHeaders({ ...base, headers: headers as string[] }, 'api.example', undefined)
      expect([block['x-trace'], block.accept]).toEqual(['a', 'json'])
    }
  })

  it('drops connection-specific fields and takes host as :authority', () => {
    const headers = [
      'Connection',
      'keep-alive',
      'Keep-Alive',
      'timeout=5',
      'Transfer-Encoding',
      'chunked',
      'Upgrade',
      'h2c',
      'Host',
      'other.example',
    ]
    const block = requestHeaders({ ...base, headers }, 'api.example', undefined)
    expect(block).toEqual({ ':method': 'POST', ':path': '/v1/items?page=2', ':scheme': 'https', ':authority': 'other.example' })
  })

  it('keeps te only as trailers', () => {
    expect(requestHeaders({ ...base, headers: ['te', 'trailers'] }, 'h', undefined).te).toBe('trailers')
    expect(requestHeaders({ ...base, headers: ['te', 'gzip'] }, 'h', undefined).te).toBeUndefined()
  })

  it('joins a repeated field with commas, but keeps each cookie a field of its own', () => {
    const block = requestHeaders({ ...base, headers: ['accept', 'a', 'accept', 'b', 'cookie', 'x=1', 'cookie', 'y=2'] }, 'h', undefined)
    expect([block.accept, block.cookie]).toEqual(['a, b', ['x=1', 'y=2']])
  })

  it("adds content-length for a body of known length, unless the caller's is there", () => {
    expect(requestHeaders({ ...base, headers: [] }, 'h', 7)['content-length']).toBe('7')
    expect(requestHeaders({ ...base, headers: ['content-length', '7'] }, 'h', 7)['content-length']).toBe('7')
    expect(requestHeaders({ ...base, headers: [] }, 'h', undefined)['content-length']).toBeUndefined()
  })
})

describe('responseHeaders and rawHeaders', () => {
  it('drops the pseudo-headers of an answer', () => {
    expect(responseHeaders({ ':status': '201', 'content-type': 'application/json' } as never)).toEqual({
      'content-type': 'application/json',
    })
  })

  it('gives legacy handlers name and value Buffers, one pair per value, latin1 bytes kept', () => {
    const raw = rawHeaders({ 'set-cookie': ['a=1', 'b=2'], 'x-name': 'caf\u00e9' })
    expect(raw.map((b) => b.toString('latin1'))).toEqual(['set-cookie', 'a=1', 'set-cookie', 'b=2', 'x-name', 'caf\u00e9'])
    expect(raw[5]?.byteLength).toBe(4)
  })
})
