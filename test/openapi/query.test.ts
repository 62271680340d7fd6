// Query serialization through the typed client (issue 23 item 6): `createClient<paths>()` with a
// document whose query parameters are an array, a deepObject and a string, as openapi-typescript 7
// types them (openapi-fetch's test schema has the same `/query-params` shapes:
// openapi-ts/openapi-typescript, packages/openapi-fetch/test/common/schemas/common.yaml). The
// types carry no `style`, so the call or the client says it with `queryFormat`; nginx answers
// with the raw request URI, on both cores.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { createClient } from '../../src/index.js'
import { type Nginx, nginxMissing, startNginx } from '../helpers/nginx.js'
import { testPKI } from '../helpers/tls.js'

type paths = {
  '/query-params': {
    parameters: { query?: never; header?: never; path?: never; cookie?: never }
    get: {
      parameters: {
        query?: {
          string?: string
          array?: string[]
          /** style: deepObject */
          filter?: { name?: string; tags?: string[] }
        }
        header?: never
        path?: never
        cookie?: never
      }
      requestBody?: never
      responses: { 200: { headers: { [name: string]: unknown }; content: { 'text/plain': string } } }
    }
    put?: never
    post?: never
    delete?: never
    options?: never
    head?: never
    patch?: never
    trace?: never
  }
}

describe.skipIf(nginxMissing())('typed client query, against nginx', () => {
  let nginx: Nginx
  beforeAll(async () => {
    nginx = await startNginx({
      pki: await testPKI(),
      locations: 'location = /query-params { default_type text/plain; return 200 $request_uri; }',
    })
  })
  afterAll(() => nginx?.stop())

  for (const core of ['fetch', 'undici'] as const) {
    describe(`${core} core`, () => {
      it('sends a deepObject parameter as filter[name]= and an array as repeated keys by default', async () => {
        await using api = createClient<paths>({ baseURL: nginx.http, core })
        const { data } = await api.get('/query-params', {
          query: { string: 'a b', array: ['x', 'y'], filter: { name: 'ada', tags: ['t'] } },
        })
        expectTypeOf(data).toEqualTypeOf<string>()
        expect(data).toBe('/query-params?string=a%20b&array=x&array=y&filter%5Bname%5D=ada&filter%5Btags%5D=t')
      })

      it("takes the call's queryFormat over the client's", async () => {
        await using api = createClient<paths>({ baseURL: nginx.http, core, queryFormat: { array: 'pipeDelimited', space: '+' } })
        const query = { string: 'a b', array: ['x', 'y'] }
        expect((await api.get('/query-params', { query })).data).toBe('/query-params?string=a+b&array=x%7Cy')
        expect((await api.get('/query-params', { query, queryFormat: { array: 'comma' } })).data).toBe('/query-params?string=a+b&array=x,y')
      })

      it('refuses an unknown style in the types and at run time', async () => {
        await using api = createClient<paths>({ baseURL: nginx.http, core })
        // @ts-expect-error: not a style
        const call = api.get('/query-params', { query: { array: ['x'] }, queryFormat: { array: 'csv' } })
        await expect(call).rejects.toThrow(/options\.queryFormat\.array must be one of 'form', 'comma'/)
      })
    })
  }
})
