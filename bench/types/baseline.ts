// The document alone: GitHub's `paths` in the program and referenced, no client and no call.
// The bench subtracts this file's figures from each client's, so what remains is the client's cost.
import type { paths } from '@octokit/openapi-types'

export type Path = keyof paths
export const path: Path = '/repos/{owner}/{repo}/issues'
