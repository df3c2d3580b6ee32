/**
 * Keeps work a request started but does not wait for (a stale feed's refresh, the next listing of
 * the key index) running after the request is answered. A Worker drops the unfinished work of an
 * answered request unless it is handed to `ctx.waitUntil`; a later request that joined that work
 * would then wait for good. Node keeps running whatever was started, so there it does nothing.
 */
export type KeepAlive = (task: Promise<unknown>) => void

/** Node's: the process runs on, so the work does too. */
export const keepRunning: KeepAlive = () => undefined
