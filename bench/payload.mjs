// The bodies every benchmark row sends and receives, in one place.

/** What GET /json answers (about 200 bytes of JSON). */
export const GET_BODY = {
  id: 12345,
  name: 'fetchline benchmark',
  active: true,
  tags: ['http', 'client', 'bench'],
  owner: { id: 42, login: 'octocat', site_admin: false },
  created_at: '2024-01-01T00:00:00Z',
  score: 0.987654321,
}

/** What the POST rows send to /echo. */
export const PAYLOAD = { id: 7, name: 'widget', price: 19.99, tags: ['a', 'b', 'c'], nested: { ok: true, count: 3 } }
