// Every local link in README.md and docs/*.md reaches a file that exists, and every `#anchor` one
// of its headings: the README is short and sends the reader to the reference pages, so a heading
// renamed or moved there must not leave a dead link behind. Anchors are slugged as GitHub does
// (lower case; punctuation but `-` and `_` dropped; spaces to `-`; a repeated heading gets `-1`, `-2`).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(dirname(new URL(import.meta.url).pathname), '..')
const PAGES = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
]

/** The text outside fenced code blocks (a `#` line in a shell block is no heading). */
const prose = (file: string): string => readFileSync(join(root, file), 'utf8').replace(/^(```|~~~)[\s\S]*?^\1\s*$/gm, '')

/** The anchors GitHub gives the headings of `file`. */
function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>()
  const anchors = new Set<string>()
  for (const [, heading] of prose(file).matchAll(/^#{1,6} +(.+?)\s*#*\s*$/gm)) {
    const slug = (heading ?? '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-')
    const n = seen.get(slug) ?? 0
    seen.set(slug, n + 1)
    anchors.add(n ? `${slug}-${n}` : slug)
  }
  return anchors
}

/** The dead local links in `text`, read as `page`: a missing file, or an anchor no heading of it has. */
function deadLinks(page: string, text = prose(page)): string[] {
  const dead: string[] = []
  for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue // https:, mailto:
    const [path, anchor] = target.split('#')
    const file = path ? normalize(join(dirname(page), path)) : page
    if (!existsSync(join(root, file))) dead.push(`${target}: no file ${file}`)
    else if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(file).has(anchor))
      dead.push(`${target}: no heading #${anchor} in ${file}`)
  }
  return dead
}

describe('local links in the README and docs/', () => {
  it.each(PAGES)('%s: every link reaches a file, and every #anchor a heading there', (page) => {
    expect(deadLinks(page)).toEqual([])
  })

  it('slugs headings as GitHub does, and finds a dead link (guards the checker itself)', () => {
    expect([...anchorsOf('README.md')]).toContain('two-commands')
    expect([...anchorsOf('docs/reference.md')]).toContain('response-size')
    const text = '[ok](docs/reference.md#response-size) [gone](docs/reference.md#no-such) [none](docs/nope.md)'
    expect(deadLinks('README.md', text)).toEqual([
      'docs/reference.md#no-such: no heading #no-such in docs/reference.md',
      'docs/nope.md: no file docs/nope.md',
    ])
  })
})
