import type { StandardSchemaV1 } from '@standard-schema/spec'
import { recommended } from '../middleware/recommended.js'
import { checkKeys } from '../src/core/options.js'
import { type Client, createClient, type FetchFunction, type Middleware } from '../src/index.js'

/** A user of the example API. */
export type User = { id: number; name: string; email: string }

/** A page of users. */
export type UserPage = { items: User[]; page: number; pageSize: number; total: number }

/**
 * A Standard Schema written by hand, so this template needs no schema library; with zod it is
 * `z.object({ id: z.number(), name: z.string(), email: z.string() })` and works the same.
 */
function schemaOf<T>(check: (value: unknown) => string | undefined): StandardSchemaV1<unknown, T> {
  return {
    '~standard': {
      version: 1,
      vendor: 'fetchline-example',
      validate: (value) => {
        const problem = check(value)
        return problem ? { issues: [{ message: problem }] } : { value: value as T }
      },
    },
  }
}
const isUser = (u: unknown): string | undefined => {
  const user = u as Partial<User> | null
  if (typeof user !== 'object' || user === null) return 'expected a user object'
  if (typeof user.id !== 'number') return 'id: expected a number'
  if (typeof user.name !== 'string') return 'name: expected a string'
  return typeof user.email === 'string' ? undefined : 'email: expected a string'
}
/**
 * The shape `GET /users/{id}` must answer with.
 *
 * @example
 * await client.get('/users/{id}', { params: { id: 1 }, schema: UserSchema }) // data: User
 */
export const UserSchema = schemaOf<User>(isUser)
/**
 * The shape `GET /users` must answer with.
 *
 * @example
 * await client.get('/users', { schema: UserPageSchema }) // data: UserPage
 */
export const UserPageSchema = schemaOf<UserPage>((p) => {
  const page = p as Partial<UserPage> | null
  if (!Array.isArray(page?.items)) return 'items: expected an array'
  return page.items.map(isUser).find(Boolean)
})

/** What {@link createExampleClient} returns: plain async methods, `health()` and `close()`. */
export type ExampleClient = {
  /** `GET /users/{id}`, checked against {@link UserSchema}. */
  getUser(id: number): Promise<User>
  /** `GET /users?page=&page_size=`, checked against {@link UserPageSchema}. */
  listUsers(options?: { page?: number; pageSize?: number }): Promise<UserPage>
  /** `POST /users` with a JSON body. */
  createUser(input: Omit<User, 'id'>): Promise<User>
  health: Client['health']
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

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
  /** The pipeline. @default recommended() */
  middleware?: readonly Middleware[]
  /** A fetch double for tests (`mockFetch`). */
  fetch?: FetchFunction
}

/**
 * The template service client to copy: API-key auth, typed methods over one shared client whose
 * answers are checked against a schema (a malformed vendor answer rejects with `ValidationError`
 * instead of corrupting data downstream), `health()` and `close()`. A plain object factory.
 *
 * @example
 * await using users = createExampleClient({ apiKey: 'k', baseURL: 'http://127.0.0.1:3000' })
 * const ada = await users.getUser(1)
 * const page = await users.listUsers({ page: 1, pageSize: 10 })
 */
export function createExampleClient(options: ExampleClientOptions): ExampleClient {
  if (typeof options?.apiKey !== 'string' || options.apiKey === '') {
    throw new TypeError('createExampleClient needs apiKey: the key the example API issued you')
  }
  checkKeys('createExampleClient', options, ['apiKey', 'baseURL', 'middleware', 'fetch'])
  const client: Client = createClient({
    baseURL: options.baseURL ?? 'https://api.example.com',
    headers: { 'x-api-key': options.apiKey },
    middleware: options.middleware ?? recommended(),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })
  return {
    /** `GET /users/{id}`. */
    getUser: async (id: number): Promise<User> => (await client.get('/users/{id}', { params: { id }, schema: UserSchema })).data,
    /** `GET /users?page=&page_size=`. */
    listUsers: async ({ page = 1, pageSize = 20 }: { page?: number; pageSize?: number } = {}): Promise<UserPage> =>
      (await client.get('/users', { query: { page, page_size: pageSize }, schema: UserPageSchema })).data,
    /** `POST /users` with a JSON body. */
    createUser: async (input: Omit<User, 'id'>): Promise<User> => (await client.post('/users', { json: input, schema: UserSchema })).data,
    health: client.health,
    close: client.close,
    [Symbol.asyncDispose]: client.close,
  }
}
