// Every line side by side (bench/lines.mjs): one table per scenario with a column group per line,
// the latency and cold-start tails, then each line's own report; and an SVG
// of the main ratios as bars grouped per row, one bar per line.

const NETWORK = [
  ['c64-get', 'Concurrent GET /json (64 in flight)'],
  ['c64-post', 'Concurrent JSON POST /echo (64 in flight)'],
  ['seq-get', 'Sequential GET /json (1 in flight)'],
]
const LINE_COLORS = ['#9ca3af', '#60a5fa', '#2563eb', '#1e3a8a', '#f59e0b', '#10b981']

function fmt(n, digits = 0) {
  if (!Number.isFinite(n)) return '–'
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** Rows in first-seen order over the given lines: [{ id, name }]. */
function rowsOf(lines) {
  const seen = new Map()
  for (const line of lines) for (const row of line.result?.rows ?? []) if (!seen.has(row.id)) seen.set(row.id, row.name)
  return [...seen].map(([id, name]) => ({ id, name }))
}
const rowOf = (line, id) => line.result?.rows.find((r) => r.id === id)
const scenarioOf = (line, id, key) => rowOf(line, id)?.scenarios[key]
const version = (line) => (line.result?.runtime === 'node' || !line.result ? line.result?.environment.node : line.result.line)

/** One table per group of lines that share references (the Node lines; Bun and Deno). */
function sideBySide(out, lines, refs) {
  const rows = rowsOf(lines)
  const head = (cols) => `| client | ${lines.map((l) => cols.map((c) => `${l.label} ${c}`).join(' | ')).join(' | ')} |`
  const align = (n) => `| --- |${' ---: |'.repeat(lines.length * n)}`
  for (const [key, title] of NETWORK) {
    out(`### ${title}: ${refs.map((r) => r.label).join(' and ')}`)
    out()
    out(head(refs.map((r) => r.label)))
    out(align(refs.length))
    for (const row of rows) {
      const cells = lines.flatMap((l) => refs.map((ref) => `${fmt(scenarioOf(l, row.id, key)?.ratios?.[ref.id], 2)}×`))
      out(`| ${row.name} | ${cells.join(' | ')} |`)
    }
    out()
  }
  out('### Latency at c=64 GET (ms): p50 / p99 / p99.9, and the cold start')
  out()
  out(head(['p50 / p99 / p99.9', 'cold p99']))
  out(align(2))
  const coldRows = [...rows, ...lines.flatMap((l) => l.result?.cold ?? []).filter((c) => c.id.endsWith('+warmup'))]
  const seen = new Set()
  for (const row of coldRows) {
    if (seen.has(row.id)) continue
    seen.add(row.id)
    const cells = lines.flatMap((l) => {
      const s = scenarioOf(l, row.id, 'c64-get')?.summary
      const c = l.result?.cold?.find((x) => x.id === row.id)
      const lat = s ? `${fmt(s.p50, 1)} / ${fmt(s.p99, 1)} / ${fmt(s.p999, 1)}` : '–'
      return [lat, c?.na ? 'n/a' : fmt(c?.p99, 1)]
    })
    out(`| ${row.name} | ${cells.join(' | ')} |`)
  }
  out()
  out('### No-network overhead: µs/request on a stub transport')
  out()
  out(head(['µs/req']))
  out(align(1))
  for (const row of rows) out(`| ${row.name} | ${lines.map((l) => fmt(scenarioOf(l, row.id, 'stub')?.summary?.usPerReq, 2)).join(' | ')} |`)
  out()
}

export function renderLines(json) {
  const lines = []
  const out = (line = '') => lines.push(line)
  const node = json.lines.filter((l) => l.id.startsWith('node'))
  const runtimes = json.lines.filter((l) => !l.id.startsWith('node'))
  out(`# fetchline benchmark — ${json.lines.map((l) => l.label).join(', ')} side by side`)
  out()
  out(
    `- ${json.mode} mode, ${json.lines.length} line(s) one after another in ${fmt(json.totalSeconds)} s; each line's own settings and notes are in its section below`,
  )
  for (const l of json.lines) {
    const note = l.result ? `${version(l)}, ${fmt(l.seconds)} s` : `FAILED (exit ${l.exitCode}), no results`
    out(`- ${l.label}: ${note}${l.result && l.exitCode !== 0 ? ` — exit ${l.exitCode}, see its Errors` : ''}`)
  }
  out(
    '- ratios are median req/s ÷ the reference row\'s median on the same line: "× undici.request" (the familiar reference) and "× floor" (`Agent.dispatch` with a handler that only buffers and `JSON.parse`s: the least work over undici); on Bun and Deno, "× ofetch"',
  )
  out()
  if (node.length > 0) {
    out('## Node lines')
    out()
    sideBySide(out, node, node.find((l) => l.result)?.result.references ?? [])
  }
  if (runtimes.length > 0) {
    out("## Bun and Deno (each runtime's own fetch)")
    out()
    sideBySide(out, runtimes, [{ id: 'ofetch', label: '× ofetch' }])
  }
  for (const l of json.lines) {
    out()
    out(`## ${l.label}: its own tables`)
    out()
    out(l.markdown.trim() ? l.markdown.trim().replace(/^(#+) /gm, '$1## ') : `(no output; exit ${l.exitCode})`)
  }
  return { markdown: `${lines.join('\n')}\n`, svg: chart(node.length > 0 ? node : runtimes) }
}

function escapeXML(text) {
  return String(text).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c])
}

/** Per row, one bar per line: × the first reference, for c=64 GET and POST. */
function chart(lines) {
  const rows = rowsOf(lines)
  const ref = lines.find((l) => l.result)?.result.references?.[0] ?? { id: 'undici-request', label: '× undici.request' }
  const labelW = 290
  const barW = 470
  const width = labelW + barW + 80
  const barH = 7
  const groupH = lines.length * (barH + 1) + 8
  const panelH = 30 + rows.length * groupH + 24
  const height = 64 + 2 * panelH
  const ratio = (l, id, key) => scenarioOf(l, id, key)?.ratios?.[ref.id]
  const max = Math.max(
    1,
    ...lines.flatMap((l) => rows.flatMap((r) => [ratio(l, r.id, 'c64-get'), ratio(l, r.id, 'c64-post')])).filter(Number.isFinite),
  )
  const scaleMax = Math.ceil(max * 4) / 4
  const x = (v) => labelW + (v / scaleMax) * barW
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    '<rect width="100%" height="100%" fill="#ffffff"/>',
    `<text x="10" y="22" font-size="15" font-weight="600">Throughput ${escapeXML(ref.label)} per line (medians over rounds, each line on its own binary)</text>`,
  ]
  lines.forEach((l, i) => {
    const lx = 10 + i * 110
    parts.push(`<rect x="${lx}" y="32" width="12" height="10" fill="${LINE_COLORS[i % LINE_COLORS.length]}"/>`)
    parts.push(`<text x="${lx + 16}" y="41" font-size="11">${escapeXML(l.label)}</text>`)
  })
  ;[
    ['c64-get', 'Concurrent GET (64 in flight)'],
    ['c64-post', 'Concurrent JSON POST (64 in flight)'],
  ].forEach(([key, title], pi) => {
    const top = 56 + pi * panelH
    parts.push(`<text x="10" y="${top + 16}" font-size="13" font-weight="600">${escapeXML(title)}</text>`)
    const barsTop = top + 28
    const barsBottom = barsTop + rows.length * groupH
    for (let t = 0; t <= scaleMax + 1e-9; t += 0.25) {
      const one = Math.abs(t - 1) < 1e-9
      parts.push(
        `<line x1="${x(t).toFixed(1)}" y1="${barsTop - 4}" x2="${x(t).toFixed(1)}" y2="${barsBottom}" stroke="${one ? '#111827' : '#e5e7eb'}"${one ? ' stroke-dasharray="4 3"' : ''}/>`,
      )
      parts.push(
        `<text x="${x(t).toFixed(1)}" y="${barsBottom + 14}" text-anchor="middle" fill="#6b7280" font-size="11">${t.toFixed(2)}×</text>`,
      )
    }
    rows.forEach((row, ri) => {
      const y0 = barsTop + ri * groupH
      parts.push(`<text x="${labelW - 8}" y="${y0 + groupH / 2 + 1}" text-anchor="end" fill="#111827">${escapeXML(row.name)}</text>`)
      lines.forEach((l, li) => {
        const r = ratio(l, row.id, key)
        if (!Number.isFinite(r)) return
        const y = y0 + li * (barH + 1)
        parts.push(
          `<rect x="${labelW}" y="${y}" width="${Math.max(1, x(r) - labelW).toFixed(1)}" height="${barH}" fill="${LINE_COLORS[li % LINE_COLORS.length]}"><title>${escapeXML(`${row.name}, ${l.label}: ${r.toFixed(2)}${ref.label}`)}</title></rect>`,
        )
        parts.push(`<text x="${(x(r) + 4).toFixed(1)}" y="${y + barH}" font-size="8" fill="#374151">${r.toFixed(2)}</text>`)
      })
    })
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
