// The package's main entry: the core, plus the recommended pipeline (which is middleware, and
// src/ knows nothing of middleware/). With "sideEffects": false a bundler drops what is unused.

export { type RecommendedOptions, recommended } from './middleware/recommended.js'
export * from './src/index.js'
