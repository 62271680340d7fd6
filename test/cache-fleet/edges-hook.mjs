// A module-resolution hook (node:module register) for running fetchline from its TypeScript
// sources under tsx: package.json "imports" point `#headers` and `#transport` at the built edges
// in dist/, so a source file gets the Node edge's source instead (as vitest.config.ts does), and
// the fleet needs no build.
const EDGES = new Map([
  ['#headers', new URL('../../src/node/headers.ts', import.meta.url).href],
  ['#transport', new URL('../../src/node/transport.ts', import.meta.url).href],
])

export async function resolve(specifier, context, next) {
  const edge = EDGES.get(specifier)
  // Resolved by the next hook (tsx's), which marks a .ts file for its loader.
  if (edge && context.parentURL?.endsWith('.ts')) return next(edge, context)
  return next(specifier, context)
}
