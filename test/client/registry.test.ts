import { describe, expect, expectTypeOf, it } from 'vitest'
import { type Client, ClientClosedError, createClient, createRegistry } from '../../src/index.js'

describe('createRegistry', () => {
  it('creates lazily and returns the same instance', () => {
    let made = 0
    const clients = createRegistry({ api: () => (made++, createClient({ baseURL: 'http://127.0.0.1:9' })) })
    expect(made).toBe(0)
    expect(clients.has('api')).toBe(false)
    const first = clients.get('api')
    expect(clients.get('api')).toBe(first)
    expect(made).toBe(1)
    expectTypeOf(first).toEqualTypeOf<Client>()
  })

  it('closeAll() closes every created instance, newest first, once', async () => {
    const closed: string[] = []
    const fake = (name: string) => () => ({ close: async () => void closed.push(name) })
    const clients = createRegistry({ a: fake('a'), b: fake('b'), unused: fake('unused') })
    clients.get('a')
    clients.get('b')
    await Promise.all([clients.closeAll(), clients.closeAll()])
    expect(closed).toEqual(['b', 'a'])
    expect(() => clients.get('a')).toThrow(ClientClosedError)
  })

  it('names the known clients when asked for an unknown one', () => {
    const clients = createRegistry({ payments: () => ({ close() {} }) })
    // @ts-expect-error: typed names reject an unknown one at compile time too
    expect(() => clients.get('paymnets')).toThrow('createRegistry: no client named "paymnets"; known: payments')
  })

  it('reports every close failure together', async () => {
    const clients = createRegistry({
      a: () => ({ close: () => Promise.reject(new Error('a broke')) }),
      b: () => ({ close: () => Promise.reject(new Error('b broke')) }),
    })
    clients.get('a')
    clients.get('b')
    const error = (await clients.closeAll().catch((e: unknown) => e)) as AggregateError
    expect(error.errors.map((e: Error) => e.message)).toEqual(['b broke', 'a broke'])
  })
})
