import type { FetchFunction } from '../src/index.js'
import { type Client, createClient, type Middleware } from '../src/index.js'

/** A user of the example API. */
export type User = { id: number; name: string; email: string }

/** A page of users. */
export type UserPage = { items: User[]; page: number; pageSize: number; total: number }

/**
 * Options of {@link createExampleClient}.
 *
 * @example
 * const options: ExampleClientOptions = { apiKey: process.env.EXAMPLE_API_KEY! }
 */
export type ExampleClientOptions = {
  /** Sent as `x-api-key` on every request. */
  apiKey: string
  /** @default 'https://api.example.com' */
  baseURL?: string
  /** The pipeline. @default [] */
  middleware?: readonly Middleware[]
  /** A fetch double for tests (`mockFetch`). */
  fetch?: FetchFunction
}

/**
 * The template service client to copy: API-key auth, typed methods over one shared client,
 * `health()` and `close()`. A plain object factory, no classes.
 *
 * @example
 * await using users = createExampleClient({ apiKey: 'k', baseURL: 'http://127.0.0.1:3000' })
 * const ada = await users.getUser(1)
 * const page = await users.listUsers({ page: 1, pageSize: 10 })
 */
export function createExampleClient(options: ExampleClientOptions) {
  if (typeof options?.apiKey !== 'string' || options.apiKey === '') {
    throw new TypeError('createExampleClient needs apiKey: the key the example API issued you')
  }
  const client: Client = createClient({
    baseURL: options.baseURL ?? 'https://api.example.com',
    headers: { 'x-api-key': options.apiKey },
    middleware: options.middleware ?? [],
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })
  return {
    /** `GET /users/{id}`. */
    getUser: async (id: number): Promise<User> => (await client.get<User>('/users/{id}', { params: { id } })).data,
    /** `GET /users?page=&page_size=`. */
    listUsers: async ({ page = 1, pageSize = 20 }: { page?: number; pageSize?: number } = {}): Promise<UserPage> =>
      (await client.get<UserPage>('/users', { query: { page, page_size: pageSize } })).data,
    /** `POST /users` with a JSON body. */
    createUser: async (input: Omit<User, 'id'>): Promise<User> => (await client.post<User>('/users', { json: input })).data,
    health: client.health,
    close: client.close,
    [Symbol.asyncDispose]: client.close,
  }
}

/** What {@link createExampleClient} returns. */
export type ExampleClient = ReturnType<typeof createExampleClient>
