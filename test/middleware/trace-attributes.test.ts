// The pure parts of trace(): the known-methods list (the conventions' override rules,
// https://opentelemetry.io/docs/specs/semconv/http/http-spans/#http-client-span note [1]: a
// comma-separated, case-sensitive full override in OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS, read
// by OpenTelemetry JS the same way, an empty value ignored) and where the variable can be read.
import { describe, expect, it } from 'vitest'
import { trace } from '../../middleware/trace.js'
import { DEFAULT_KNOWN_METHODS, knownMethods, readKnownMethodsEnv } from '../../middleware/trace-attributes.js'

describe('knownMethods', () => {
  it("defaults to the conventions' list: RFC 9110's methods, PATCH and QUERY", () => {
    expect([...knownMethods(undefined, undefined)].sort()).toEqual(
      ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE'].sort(),
    )
    expect([...knownMethods(undefined, undefined)]).toEqual([...DEFAULT_KNOWN_METHODS])
  })

  it('takes the environment value as a full, case-sensitive override, blanks around names ignored', () => {
    expect([...knownMethods(undefined, ' GET ,PURGE,get')]).toEqual(['GET', 'PURGE', 'get'])
  })

  it('ignores an empty environment value', () => {
    expect([...knownMethods(undefined, '')]).toEqual([...DEFAULT_KNOWN_METHODS])
    expect([...knownMethods(undefined, ' , ')]).toEqual([...DEFAULT_KNOWN_METHODS])
  })

  it('lets the option win over the environment, an empty option meaning every method is _OTHER', () => {
    expect([...knownMethods(['PURGE'], 'GET')]).toEqual(['PURGE'])
    expect([...knownMethods([], 'GET')]).toEqual([])
  })

  it('refuses a knownMethods that is not a list of method tokens, saying what to pass', () => {
    expect(() => trace({ knownMethods: 'GET,POST' as never })).toThrow(/knownMethods must be an array of method names/)
    expect(() => trace({ knownMethods: ['GET', 'NOT A METHOD'] })).toThrow(/such as \['GET', 'POST', 'PURGE'\]/)
  })
})

describe('readKnownMethodsEnv', () => {
  it('reads process.env on Node and Bun', () => {
    expect(readKnownMethodsEnv({ process: { env: { OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS: 'GET' } } })).toBe('GET')
  })

  it('reads Deno.env on Deno once env access is granted, and never asks for it (no prompt)', () => {
    const env = { get: (name: string) => (name === 'OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS' ? 'PURGE' : undefined) }
    const deno = (state: string) => ({ env, permissions: { querySync: () => ({ state }) } })
    expect(readKnownMethodsEnv({ Deno: deno('granted') })).toBe('PURGE')
    expect(readKnownMethodsEnv({ Deno: deno('prompt') })).toBeUndefined()
    expect(readKnownMethodsEnv({ Deno: deno('denied') })).toBeUndefined()
  })

  it('gives undefined when reading throws', () => {
    const denied = {
      get(): never {
        throw new Error('NotCapable: Requires env access to "OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS"')
      },
    }
    const querySync = (): never => {
      throw new Error('permissions API unavailable')
    }
    expect(readKnownMethodsEnv({ Deno: { env: denied, permissions: { querySync } } })).toBeUndefined()
  })

  it('gives undefined on workerd without nodejs_compat, which has no process.env to read', () => {
    expect(readKnownMethodsEnv({})).toBeUndefined()
    expect(readKnownMethodsEnv({ process: {} })).toBeUndefined()
  })
})
