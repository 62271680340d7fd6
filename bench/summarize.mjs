// Each target on each line as the median over several saved runs:
//
//   node bench/summarize.mjs run1/latest.json run2/latest.json run3/latest.json [--md=FILE] [--json=FILE]
//
// Reads the JSON that bench/run.mjs writes — with --node=/--runtime= (every line) or without (one
// line) — and judges each target's median value with the limit the runs used (bench/checks.mjs).
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { formatTarget, judge, status } from './checks.mjs'
import { median } from './stats.mjs'

/** A saved result as [{ label, targets }], one entry per line. */
export function linesOf(json) {
  if (json.kind === 'lines') return json.lines.filter((l) => l.result).map((l) => ({ label: l.label, targets: l.result.targets }))
  const label = json.runtime && json.runtime !== 'node' ? json.line : `Node ${json.environment.node.match(/^v(\d+)/)[1]}`
  return [{ label, targets: json.targets }]
}

/** label → target id → { target (the first run's), values (one per run that has it), median, pass }. */
export function summarize(results) {
  const byLine = new Map()
  for (const json of results) {
    for (const { label, targets } of linesOf(json)) {
      if (!byLine.has(label)) byLine.set(label, new Map())
      const line = byLine.get(label)
      for (const t of targets) {
        if (!line.has(t.id)) line.set(t.id, { target: t, values: [] })
        line.get(t.id).values.push(t.value)
      }
    }
  }
  for (const line of byLine.values()) {
    for (const entry of line.values()) {
      const finite = entry.values.filter(Number.isFinite)
      entry.median = median(finite)
      entry.pass = judge(entry.median, entry.target.op, entry.target.limit) ?? null
    }
  }
  return byLine
}

export function renderSummary(byLine, runs) {
  const out = [`# fetchline targets — median of ${runs} run(s) per line`, '']
  for (const [label, targets] of byLine) {
    out.push(`## ${label}`, '', '| target | runs | median | |', '| --- | --- | ---: | --- |')
    for (const { target, values, median: m, pass } of targets.values()) {
      const each = values.map((v) =>
        Number.isFinite(v) ? (target.unit === '×' ? v.toFixed(2) : v.toFixed(target.unit === 'MB' ? 1 : 2)) : '–',
      )
      out.push(`| ${target.name} | ${each.join(', ')} | ${formatTarget(target, m)} | ${status({ ...target, pass })} |`)
    }
    out.push('')
  }
  return out.join('\n')
}

/** The summary as JSON: per line, each target's per-run values, median and verdict. */
export function summaryJSON(byLine, runs) {
  const lines = [...byLine].map(([label, targets]) => ({
    label,
    targets: [...targets.values()].map(({ target, values, median: m, pass }) => ({
      id: target.id,
      name: target.name,
      values,
      median: m,
      op: target.op,
      limit: target.limit,
      unit: target.unit,
      applies: target.applies,
      pass,
      status: status({ ...target, pass }),
    })),
  }))
  return { date: new Date().toISOString(), runs, lines }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2).filter((a) => !a.startsWith('--'))
  const option = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  if (files.length === 0) {
    process.stderr.write('usage: node bench/summarize.mjs RESULT.json… [--md=FILE] [--json=FILE]\n')
    process.exit(2)
  }
  const byLine = summarize(files.map((file) => JSON.parse(readFileSync(file, 'utf8'))))
  const markdown = renderSummary(byLine, files.length)
  console.log(markdown)
  if (option('md')) writeFileSync(option('md'), `${markdown}\n`)
  if (option('json')) writeFileSync(option('json'), `${JSON.stringify(summaryJSON(byLine, files.length), null, 2)}\n`)
}
