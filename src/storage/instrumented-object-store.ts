import type { Telemetry } from '../ports/observability.ts'
import type { ObjectStore } from '../ports/object-store.ts'

/** Times every storage request (by operation and outcome) without the rest of the code knowing. */
export function instrumentStore(store: ObjectStore, telemetry: Telemetry, now: () => number): ObjectStore {
  const timed =
    <A extends unknown[], R>(op: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = now()
      try {
        const result = await fn(...args)
        telemetry.observe('silkfeed_storage_request_seconds', (now() - started) / 1000, { op, outcome: 'ok' })
        return result
      } catch (error) {
        telemetry.observe('silkfeed_storage_request_seconds', (now() - started) / 1000, {
          op,
          outcome: 'error',
        })
        throw error
      }
    }
  return {
    get: timed('get', (k) => store.get(k)),
    getIfChanged: timed('get', (k, e) => store.getIfChanged(k, e)),
    put: timed('put', (k, b, m, c) => store.put(k, b, m, c)),
    list: timed('list', (p, o) => store.list(p, o)),
    delete: timed('delete', (k) => store.delete(k)),
    ping: timed('ping', () => store.ping()),
  }
}
