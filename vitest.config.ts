import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vitest/config'

// package.json "imports" point `#headers` and `#transport` at the built edges in dist/. The tests
// run the TypeScript sources, so a source file gets the Node edge's source instead (Node is what
// vitest runs on); the built package, imported as fetchline-http, keeps resolving to dist/.
function sourceEdges(): Plugin {
  return {
    name: 'fetchline-source-edges',
    enforce: 'pre',
    resolveId(id, importer) {
      if ((id === '#headers' || id === '#transport') && importer?.endsWith('.ts')) {
        return fileURLToPath(new URL(`./src/node/${id.slice(1)}.ts`, import.meta.url))
      }
      return null
    },
  }
}

export default defineConfig({
  plugins: [sourceEdges()],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
  },
})
