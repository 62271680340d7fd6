// The 50 calls of the compile-cost bench, written once and rendered for each client, so both
// files make the same calls with the same inputs and read the same fields of `data`.
// `node bench/types/run.mjs --write` writes the bench files from this list (each client's 50
// calls, its typo case and the calls it must reject); a run fails when they are out of date.
//
// A call: its method and GitHub path, `params` (path), `query`, `json` (the request body: `body`
// in openapi-fetch), and `use`, an expression on `data` the function returns (written with
// `data.`; openapi-fetch's `data` is `undefined` on an error answer, so it reads `data?.`).
// `check` pins a field's type (`const x: T = …`) and `notAny` names a field the answer does not
// have (`// @ts-expect-error`): the spot checks that `data` is the document's type, not `any`.

const repo = { owner: 'owner', repo: 'repo' }

/** @type {Array<{ name: string, method: 'get'|'post'|'put'|'patch'|'delete', path: string, params?: object, query?: object, json?: object, use: string, check?: [string, string], notAny?: string }>} */
export const CALLS = [
  // ---- 30 GET ----
  { name: 'me', method: 'get', path: '/user', use: 'data.login', check: ['data.login', 'string'] },
  { name: 'user', method: 'get', path: '/users/{username}', params: { username: 'octocat' }, use: 'data.followers' },
  {
    name: 'userRepos',
    method: 'get',
    path: '/users/{username}/repos',
    params: { username: 'octocat' },
    query: { type: 'owner', sort: 'updated', per_page: 50 },
    use: 'data.map((r) => r.full_name)',
  },
  {
    name: 'repository',
    method: 'get',
    path: '/repos/{owner}/{repo}',
    params: repo,
    use: 'data.default_branch',
    check: ['data.stargazers_count', 'number'],
    notAny: 'stars',
  },
  {
    name: 'issues',
    method: 'get',
    path: '/repos/{owner}/{repo}/issues',
    params: repo,
    query: { state: 'open', labels: 'bug', sort: 'updated', per_page: 100 },
    use: 'data.map((i) => i.number)',
  },
  {
    name: 'issue',
    method: 'get',
    path: '/repos/{owner}/{repo}/issues/{issue_number}',
    params: { ...repo, issue_number: 1 },
    use: 'data.title',
    check: ['data.number', 'number'],
    notAny: 'issue_title',
  },
  {
    name: 'issueComments',
    method: 'get',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    params: { ...repo, issue_number: 1 },
    query: { per_page: 30 },
    use: 'data.map((c) => c.body)',
  },
  {
    name: 'pulls',
    method: 'get',
    path: '/repos/{owner}/{repo}/pulls',
    params: repo,
    query: { state: 'open', base: 'main' },
    use: 'data.map((p) => p.head.ref)',
  },
  {
    name: 'pull',
    method: 'get',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}',
    params: { ...repo, pull_number: 2 },
    use: 'data.mergeable',
    check: ['data.merged', 'boolean'],
  },
  {
    name: 'pullFiles',
    method: 'get',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/files',
    params: { ...repo, pull_number: 2 },
    use: 'data.map((f) => f.filename)',
  },
  {
    name: 'pullReviews',
    method: 'get',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    params: { ...repo, pull_number: 2 },
    use: 'data.map((r) => r.state)',
  },
  {
    name: 'commits',
    method: 'get',
    path: '/repos/{owner}/{repo}/commits',
    params: repo,
    query: { sha: 'main', per_page: 10 },
    use: 'data.map((c) => c.sha)',
  },
  { name: 'commit', method: 'get', path: '/repos/{owner}/{repo}/commits/{ref}', params: { ...repo, ref: 'main' }, use: 'data' },
  {
    name: 'branches',
    method: 'get',
    path: '/repos/{owner}/{repo}/branches',
    params: repo,
    query: { protected: true },
    use: 'data.map((b) => b.name)',
  },
  {
    name: 'branch',
    method: 'get',
    path: '/repos/{owner}/{repo}/branches/{branch}',
    params: { ...repo, branch: 'main' },
    use: 'data.commit.sha',
  },
  {
    name: 'contents',
    method: 'get',
    path: '/repos/{owner}/{repo}/contents/{path}',
    params: { ...repo, path: 'README.md' },
    query: { ref: 'main' },
    use: 'data',
  },
  { name: 'releases', method: 'get', path: '/repos/{owner}/{repo}/releases', params: repo, use: 'data.map((r) => r.tag_name)' },
  {
    name: 'latestRelease',
    method: 'get',
    path: '/repos/{owner}/{repo}/releases/latest',
    params: repo,
    use: 'data.assets',
    check: ['data.tag_name', 'string'],
  },
  { name: 'tags', method: 'get', path: '/repos/{owner}/{repo}/tags', params: repo, use: 'data.map((t) => t.commit.sha)' },
  { name: 'labels', method: 'get', path: '/repos/{owner}/{repo}/labels', params: repo, use: 'data.map((l) => l.color)' },
  {
    name: 'milestones',
    method: 'get',
    path: '/repos/{owner}/{repo}/milestones',
    params: repo,
    query: { state: 'open', sort: 'due_on' },
    use: 'data.map((m) => m.due_on)',
  },
  {
    name: 'contributors',
    method: 'get',
    path: '/repos/{owner}/{repo}/contributors',
    params: repo,
    use: 'data?.map((c) => c.contributions)',
  },
  {
    name: 'searchRepos',
    method: 'get',
    path: '/search/repositories',
    query: { q: 'http client language:typescript', sort: 'stars', order: 'desc' },
    use: 'data.items.map((r) => r.full_name)',
    check: ['data.total_count', 'number'],
    notAny: 'count',
  },
  { name: 'searchIssues', method: 'get', path: '/search/issues', query: { q: 'is:open label:bug' }, use: 'data.items' },
  { name: 'searchCode', method: 'get', path: '/search/code', query: { q: 'createClient in:file' }, use: 'data.total_count' },
  {
    name: 'runs',
    method: 'get',
    path: '/repos/{owner}/{repo}/actions/runs',
    params: repo,
    query: { status: 'failure', branch: 'main', per_page: 20 },
    use: 'data.workflow_runs.map((r) => r.conclusion)',
  },
  {
    name: 'run',
    method: 'get',
    path: '/repos/{owner}/{repo}/actions/runs/{run_id}',
    params: { ...repo, run_id: 3 },
    use: 'data.status',
  },
  {
    name: 'workflows',
    method: 'get',
    path: '/repos/{owner}/{repo}/actions/workflows',
    params: repo,
    use: 'data.workflows.map((w) => w.path)',
  },
  {
    name: 'runJobs',
    method: 'get',
    path: '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs',
    params: { ...repo, run_id: 3 },
    query: { filter: 'latest' },
    use: 'data.jobs.map((j) => j.steps)',
  },
  {
    name: 'orgRepos',
    method: 'get',
    path: '/orgs/{org}/repos',
    params: { org: 'nodejs' },
    query: { type: 'public', per_page: 100 },
    use: 'data.map((r) => r.archived)',
  },

  // ---- 10 POST ----
  {
    name: 'createIssue',
    method: 'post',
    path: '/repos/{owner}/{repo}/issues',
    params: repo,
    json: { title: 'Crash on start', body: 'Steps to reproduce…', labels: ['bug'], assignees: ['octocat'] },
    use: 'data.html_url',
    check: ['data.number', 'number'],
  },
  {
    name: 'comment',
    method: 'post',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    params: { ...repo, issue_number: 1 },
    json: { body: 'Thanks!' },
    use: 'data.id',
  },
  {
    name: 'createPull',
    method: 'post',
    path: '/repos/{owner}/{repo}/pulls',
    params: repo,
    json: { title: 'Fix the crash', head: 'fix-crash', base: 'main', draft: true },
    use: 'data.number',
  },
  {
    name: 'review',
    method: 'post',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    params: { ...repo, pull_number: 2 },
    json: { event: 'APPROVE', body: 'LGTM' },
    use: 'data.state',
  },
  {
    name: 'createLabel',
    method: 'post',
    path: '/repos/{owner}/{repo}/labels',
    params: repo,
    json: { name: 'triage', color: 'ededed', description: 'Needs a look' },
    use: 'data.url',
  },
  {
    name: 'createRelease',
    method: 'post',
    path: '/repos/{owner}/{repo}/releases',
    params: repo,
    json: { tag_name: 'v1.0.0', name: '1.0.0', draft: true, generate_release_notes: true },
    use: 'data.upload_url',
  },
  {
    name: 'createRepo',
    method: 'post',
    path: '/user/repos',
    json: { name: 'new-repo', private: true, auto_init: true },
    use: 'data.clone_url',
  },
  {
    name: 'dispatch',
    method: 'post',
    path: '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    params: { ...repo, workflow_id: 'ci.yml' },
    json: { ref: 'main', inputs: { dry_run: 'true' } },
    use: 'data',
  },
  {
    name: 'createRef',
    method: 'post',
    path: '/repos/{owner}/{repo}/git/refs',
    params: repo,
    json: { ref: 'refs/heads/feature', sha: 'aa218f56b14c9653891f9e74264a383fa43fefbd' },
    use: 'data.object.sha',
  },
  {
    name: 'status',
    method: 'post',
    path: '/repos/{owner}/{repo}/statuses/{sha}',
    params: { ...repo, sha: 'aa218f56b14c9653891f9e74264a383fa43fefbd' },
    json: { state: 'success', context: 'ci/build', target_url: 'https://ci.example.com/1' },
    use: 'data.state',
  },

  // ---- 10 PATCH / PUT / DELETE ----
  {
    name: 'closeIssue',
    method: 'patch',
    path: '/repos/{owner}/{repo}/issues/{issue_number}',
    params: { ...repo, issue_number: 1 },
    json: { state: 'closed', state_reason: 'completed' },
    use: 'data.state',
  },
  {
    name: 'renamePull',
    method: 'patch',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}',
    params: { ...repo, pull_number: 2 },
    json: { title: 'Fix the crash on start' },
    use: 'data.title',
  },
  { name: 'updateMe', method: 'patch', path: '/user', json: { bio: 'Writes HTTP clients' }, use: 'data.bio' },
  {
    name: 'updateRepo',
    method: 'patch',
    path: '/repos/{owner}/{repo}',
    params: repo,
    json: { description: 'An HTTP client', has_wiki: false },
    use: 'data.description',
  },
  {
    name: 'merge',
    method: 'put',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    params: { ...repo, pull_number: 2 },
    json: { merge_method: 'squash', commit_title: 'Fix the crash (#2)' },
    use: 'data.merged',
    check: ['data.sha', 'string'],
  },
  {
    name: 'writeFile',
    method: 'put',
    path: '/repos/{owner}/{repo}/contents/{path}',
    params: { ...repo, path: 'docs/notes.md' },
    json: { message: 'docs: notes', content: 'SGVsbG8=', branch: 'main' },
    use: 'data.commit.sha',
  },
  { name: 'star', method: 'put', path: '/user/starred/{owner}/{repo}', params: repo, use: 'data' },
  {
    name: 'deleteLabel',
    method: 'delete',
    path: '/repos/{owner}/{repo}/labels/{name}',
    params: { ...repo, name: 'triage' },
    use: 'data',
  },
  {
    name: 'deleteComment',
    method: 'delete',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    params: { ...repo, comment_id: 4 },
    use: 'data',
  },
  {
    name: 'deleteRef',
    method: 'delete',
    path: '/repos/{owner}/{repo}/git/refs/{ref}',
    params: { ...repo, ref: 'heads/feature' },
    use: 'data',
  },
]

/** The typo case: one call to a path the document lacks (`/issue` for `/issues`). */
export const TYPO = {
  name: 'typo',
  method: 'get',
  path: '/repos/{owner}/{repo}/issue',
  params: repo,
  query: { state: 'open' },
  use: 'data',
}

const byName = (name) => {
  const call = CALLS.find((c) => c.name === name)
  if (!call) throw new Error(`calls.mjs: no call named ${name}`)
  return { ...call, check: undefined, notAny: undefined }
}

/**
 * Calls each client must reject (every one carries `// @ts-expect-error`, so a call that
 * type-checks fails the file): proof that the 50 calls' inputs are checked, not accepted as `any`.
 */
export const REJECTS = [
  { why: 'a missing path param', ...byName('issue'), name: 'missingParam', params: repo },
  // openapi-fetch infers its options argument as a type parameter, so excess properties pass there.
  {
    why: 'an extra path param',
    ...byName('user'),
    name: 'extraParam',
    params: { username: 'octocat', id: 1 },
    accepted: ['openapi-fetch'],
  },
  { why: 'a wrong query type', ...byName('issues'), name: 'wrongQuery', query: { per_page: 'many' } },
  { why: 'a missing required query', ...byName('searchRepos'), name: 'missingQuery', query: undefined },
  { why: 'a body on GET', ...byName('repository'), name: 'bodyOnGet', json: { name: 'x' } },
  { why: 'a wrong body field type', ...byName('createIssue'), name: 'wrongBody', json: { title: true } },
  { why: 'a missing required body', ...byName('createIssue'), name: 'missingBody', json: undefined },
  { why: 'a verb the path lacks', ...byName('issues'), name: 'wrongVerb', method: 'delete', query: undefined, use: 'data' },
  { why: 'a field the answer lacks', ...byName('pull'), name: 'wrongField', use: 'data.merged_by_bot' },
]

/** `v` as a TypeScript literal in the repo's style: single quotes, bare keys, spaces inside braces. */
function lit(v) {
  if (Array.isArray(v)) return `[${v.map(lit).join(', ')}]`
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`}: ${lit(x)}`)
    return `{ ${entries.join(', ')} }`
  }
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  return String(v)
}
const obj = (v) => lit(v)

/** The options argument of a call, as each client spells it. */
function options(call, lib) {
  const parts = []
  if (lib === 'fetchline') {
    if (call.params) parts.push(`params: ${obj(call.params)}`)
    if (call.query) parts.push(`query: ${obj(call.query)}`)
    if (call.json) parts.push(`json: ${obj(call.json)}`)
  } else {
    const p = []
    if (call.params) p.push(`path: ${obj(call.params)}`)
    if (call.query) p.push(`query: ${obj(call.query)}`)
    if (p.length) parts.push(`params: { ${p.join(', ')} }`)
    if (call.json) parts.push(`body: ${obj(call.json)}`)
  }
  return parts.length ? `, { ${parts.join(', ')} }` : ''
}

const optional = (expr) => expr.replace(/^data\./, 'data?.')

/** One call as an exported function of the bench file; `expectError` puts a `@ts-expect-error` on the line that must fail. */
function renderCall(call, lib, { expectError, accepted = false } = {}) {
  const verb = lib === 'fetchline' ? call.method : call.method.toUpperCase()
  const use = lib === 'fetchline' ? call.use : optional(call.use)
  const lines = [`export async function ${call.name}() {`]
  const onUse = expectError && call.why === 'a field the answer lacks'
  if (expectError && !onUse) lines.push(`  // @ts-expect-error: ${expectError}`)
  if (accepted) lines.push(`  // ${lib} accepts ${call.why}`)
  lines.push(`  const { data } = await github.${verb}('${call.path}'${options(call, lib)})`)
  if (call.check) {
    const [expr, type] = call.check
    const t = lib === 'fetchline' ? type : `${type} | undefined`
    lines.push(`  const checked: ${t} = ${lib === 'fetchline' ? expr : optional(expr)}`)
  }
  if (call.notAny) {
    lines.push('  // @ts-expect-error: not a field of the answer (so `data` is not `any`)')
    lines.push(`  ${lib === 'fetchline' ? 'data' : 'data?'}.${call.notAny}`)
  }
  if (onUse) lines.push(`  // @ts-expect-error: ${expectError}`)
  lines.push(`  return ${call.check ? `[${use}, checked] as const` : use}`)
  lines.push('}')
  return lines.join('\n')
}

const HEADER = '// Generated by `node bench/types/run.mjs --write` from bench/types/calls.mjs: edit that list, not this file.'

function header(lib) {
  return lib === 'fetchline'
    ? [
        HEADER,
        "import type { paths } from '@octokit/openapi-types'",
        "import { createClient } from 'fetchline-http'",
        '',
        "const github = createClient<paths>({ baseURL: 'https://api.github.com' })",
      ]
    : [
        HEADER,
        "import type { paths } from '@octokit/openapi-types'",
        "import createClient from 'openapi-fetch'",
        '',
        "const github = createClient<paths>({ baseUrl: 'https://api.github.com' })",
      ]
}

/**
 * A bench file for `lib` ('fetchline' | 'openapi-fetch'): `calls` (the 50 calls), `typo` (the one
 * wrong path) or `rejects` (the calls that must not type-check).
 */
export function render(lib, kind = 'calls') {
  const calls =
    kind === 'typo'
      ? [renderCall(TYPO, lib, { expectError: 'the document has no such path' })]
      : kind === 'rejects'
        ? REJECTS.map((c) =>
            renderCall(c, lib, { expectError: c.accepted?.includes(lib) ? undefined : c.why, accepted: c.accepted?.includes(lib) }),
          )
        : CALLS.map((c) => renderCall(c, lib))
  return `${[...header(lib), '', calls.join('\n\n')].join('\n')}\n`
}

/** The generated files, by name under bench/types/. */
export function generated() {
  const files = {}
  for (const lib of ['openapi-fetch', 'fetchline']) {
    files[`${lib}.ts`] = render(lib, 'calls')
    files[`${lib}-typo.ts`] = render(lib, 'typo')
    files[`${lib}-rejects.ts`] = render(lib, 'rejects')
  }
  return files
}
