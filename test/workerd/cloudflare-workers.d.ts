// The slice of the `cloudflare:workers` module these tests use (full types would clash with Node's).
declare module 'cloudflare:workers' {
  export const exports: unknown
  export const env: Record<string, unknown>
}
