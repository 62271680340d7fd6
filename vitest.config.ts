import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vitest/config'

// package.json "imports" point `#headers`, `#transport` and `#crypto` at the built edges in dist/. The tests
// run the TypeScript sources, so a source file gets the Node edge's source instead (Node is what
// vitest runs on); the built package, imported as fetchline-http, keeps resolving to dist/.
function sourceEdges(): Plugin {
  return {
    name: 'fetchline-source-edges',
    enforce: 'pre',
    resolveId(id, importer) {
      if ((id === '#headers' || id === '#transport' || id === '#crypto') && importer?.endsWith('.ts')) {
        return fileURLToPath(new URL(`./src/node/${id.slice(1)}.ts`, import.meta.url))
      }
      return null
    },
  }
}

// Files that measure time against a real server or a clock — 1,000-call bursts against nginx,
// a lossy link, fleets of processes over redis-server, deadlines and rate windows — run one at a
// time, after the rest, so no other test file competes with them for the machine's two cores.
// The rest (real nginx and node:http servers too, each on ports of its own) run two at a time.
const ALONE = [
  'test/integrations/{redis,redis-cache}.test.ts',
  'test/middleware/{health-lossy,health-nginx,auth-fleet,timeout,rate-limit,retry-after}.test.ts',
  'test/nginx/{keepalive,goaway}.test.ts',
  'test/response-size.nginx.test.ts',
  'test/examples/demo.test.ts',
  'test/{deadline,deadlines,exit,streams,timeouts}.test.ts',
  'test/features/token-cache.test.ts',
]

export default defineConfig({
  plugins: [sourceEdges()],
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
    projects: [
      { extends: true, test: { name: 'pure', include: ['test/**/*.test.ts'], exclude: ALONE, maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
})
