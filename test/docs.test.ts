// What the README and the guide say about the code, checked against the code: the drifts of
// issue 12 item 14, kept from coming back. (docs:check type-checks the blocks; test/readme.test.ts
// runs the README's runnable ones.)
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import * as example from '../clients/example.js'
import * as wechat from '../clients/wechat.js'
import { createClient } from '../src/client/client.js'
import * as errors from '../src/errors/errors.js'

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')
// The README, the reference pages it links to (moved out of it whole), and the guide in both languages.
const PAGES = [
  'README.md',
  'docs/reference.md',
  'docs/typed-clients.md',
  'docs/middleware.md',
  'docs/services.md',
  'docs/performance.md',
  'docs/runtimes.md',
  'docs/dependencies.md',
  'docs/guide.md',
  'docs/guide.zh-CN.md',
] as const

/** The text from the heading that starts with `heading` to the next heading of its level or above. */
function section(page: string, heading: string): string {
  const lines = read(page).split('\n')
  const start = lines.findIndex((line) => line.startsWith(heading))
  if (start === -1) throw new Error(`${page} has no heading "${heading}"`)
  const level = heading.indexOf(' ')
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && line.indexOf(' ') <= level)
  return lines.slice(start, end === -1 ? undefined : end).join('\n')
}

/** The ```ts blocks of a text. */
const tsBlocks = (text: string): string[] => [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '')

/** Every error class fetchline exports, with the code it reports. */
function errorClasses(): { name: string; code: string }[] {
  const sources = read('src/errors/errors.ts') + read('src/errors/http-errors.ts') + read('clients/wechat.ts') + read('clients/example.ts')
  return Object.values({ ...errors, ...wechat, ...example })
    .filter((value): value is typeof errors.ClientError => typeof value === 'function' && value.prototype instanceof errors.ClientError)
    .map(({ name }) => {
      // The code is the one the class's constructor passes to super().
      const body = sources.slice(sources.search(new RegExp(`class ${name}\\b`)))
      const code = /code: '(FL_ERR_\w+)'/.exec(body.slice(0, body.indexOf('\n}\n')))?.[1]
      if (!code) throw new Error(`no code found for ${name}`)
      return { name, code }
    })
}

describe('docs match the code', () => {
  it('every install line and import names the package as published (fetchline on npm is another library)', () => {
    const { name } = JSON.parse(read('package.json')) as { name: string }
    expect(name).toBe('fetchline-http')
    const examples = ['examples/demo.ts', 'examples/settings.ts', 'examples/fastify-app/app.ts', 'examples/fastify-app/server.ts']
    for (const page of [...PAGES, ...examples]) {
      const text = read(page)
      const installs = [...text.matchAll(/npm install ((?:@[\w-]+\/)?[\w.-]+)/g)].map((m) => m[1])
      const imports = [...text.matchAll(/from '(fetchline[^'/]*)[/']/g)].map((m) => m[1])
      expect(
        installs.filter((pkg) => pkg?.startsWith('fetchline') && pkg !== name),
        page,
      ).toEqual([])
      expect(
        imports.filter((pkg) => pkg !== name),
        page,
      ).toEqual([])
    }
    expect(section('README.md', '## Install')).toContain(`npm install ${name}\n`)
  })

  it("the reference's fetch and core rows say what createClient does with them", () => {
    const rows = section('docs/reference.md', '### `createClient(options)`').split('\n')
    const row = (name: string): string => rows.find((line) => line.startsWith(`| \`${name}\``)) ?? ''
    const fetch = async (): Promise<Response> => new Response('')
    const refusals = [
      ['pool', () => createClient({ baseURL: 'https://api.test', fetch, pool: {} })],
      ["core: 'undici'", () => createClient({ baseURL: 'https://api.test', fetch, core: 'undici' })],
    ] as const
    for (const [option, create] of refusals) {
      expect(create, `fetch with ${option}`).toThrow(TypeError)
      expect(row('fetch'), `the fetch row names ${option}`).toContain(`\`${option}\``)
    }
    expect(row('fetch')).not.toMatch(/selects the fetch core/i) // it does not: with core: 'undici' it throws
    expect(() => createClient({ baseURL: 'https://api.test', core: 'dispatch' as 'undici' })).toThrow(TypeError)
    expect(row('core')).toMatch(/`'fetch'`.*`'undici'`.*anything else throws/)
  })

  it("every error class is in the reference's and the guide's errors tables, with its code", () => {
    const classes = errorClasses()
    expect(classes.map((c) => c.name)).toContain('RateLimitError')
    const tables = {
      'docs/reference.md': section('docs/reference.md', '### Errors'),
      'docs/guide.md': section('docs/guide.md', '### 2.3 Errors'),
      'docs/guide.zh-CN.md': section('docs/guide.zh-CN.md', '### 2.3'),
    }
    for (const [page, table] of Object.entries(tables)) {
      const rows = table.split('\n').filter((line) => line.startsWith('| `'))
      const listed = rows.map((row) => /^\| `(\w+)`\s*\| `(\w+)`/.exec(row)?.slice(1, 3).join(' '))
      for (const { name, code } of classes) expect(listed, `${page} lists ${name}`).toContain(`${name} ${code}`)
    }
  })

  it('a WeChat client given its own middleware keeps retryWeChatBusy, in every block that builds one', () => {
    const found: string[] = []
    for (const page of PAGES) {
      for (const block of tsBlocks(read(page))) {
        if (!/createWeChatClient\(\{[^)]*middleware:/.test(block)) continue
        found.push(page)
        expect(block, `${page}: a createWeChatClient with middleware`).toContain('shouldRetry: retryWeChatBusy')
      }
    }
    expect(found).toContain('docs/guide.md') // the NestJS recipe, among others
  })

  it('where the docs show `await using`, they also show the try/finally form for plain JavaScript', () => {
    const firstUse = { 'README.md': '## Quick start', 'docs/guide.md': '## 3. Quick start', 'docs/guide.zh-CN.md': '## 3.' }
    for (const [page, heading] of Object.entries(firstUse)) {
      const text = section(page, heading)
      expect(text, page).toMatch(/await using/)
      expect(text, `${page}: says where await using fails`).toMatch(/Node 20 (and|和) 22.*SyntaxError/s)
      const plain = tsBlocks(text).find((block) => !/^await using/m.test(block) && /\} finally \{\n\s+await api\.close\(\)/.test(block))
      expect(plain, `${page}: a try/finally block`).toBeDefined()
    }
  })

  it('the NestJS recipe has a main.ts that enables the shutdown hooks', () => {
    for (const page of ['docs/guide.md', 'docs/guide.zh-CN.md']) {
      const main = tsBlocks(section(page, '### 5.4 NestJS')).find((block) => block.startsWith('// src/main.ts\n'))
      expect(main, `${page}: a src/main.ts block`).toBeDefined()
      expect(main).toContain('app.enableShutdownHooks()')
      expect(main).toContain("from './app.module.js'")
    }
  })
})
