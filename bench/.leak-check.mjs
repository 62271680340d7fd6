import { ROWS } from '/work/main/bench/rows.mjs'
const id = process.argv[2]
const row = ROWS.find(r => r.id === id)
const c = await row.setup({ origin: 'http://127.0.0.1:9', pool: { connections: 64, keepAliveTimeout: 30000 } })
const stub = await c.stubSetup()
for (let s = 0; s < 6; s++) {
  const t = performance.now(); let n = 0
  while (performance.now() - t < 1500) { await stub(); n++ }
  const rss = process.memoryUsage.rss()
  globalThis.gc()
  const m = process.memoryUsage()
  console.log(id, s, n, 'rss', (rss/1048576).toFixed(0), 'after gc heapUsed', (m.heapUsed/1048576).toFixed(1), 'rss', (m.rss/1048576).toFixed(0))
}
