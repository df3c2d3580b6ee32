/**
 * Wakes the requests of this process that wait for news on the change cursor (`?wait=`): the change
 * log calls `notify` when an entry it appended is durable. Other processes' entries are found by the
 * waiters' own re-listing of the log; this only makes the common case (one process) prompt.
 */
export class ChangeSignal {
  readonly #waiters = new Set<() => void>()
  #mark: number | undefined

  /**
   * The change log's listing mark when this process last appended (see `ChangeLog.mark`): a listing
   * begun at or before it may lack that entry.
   */
  get lastAppendMark(): number | undefined {
    return this.#mark
  }

  /** Wakes every waiter: an entry is durable, and no listing after `mark` lacks it. */
  notify(mark: number): void {
    this.#mark = mark
    const waiters = [...this.#waiters]
    this.#waiters.clear()
    for (const wake of waiters) wake()
  }

  /** Resolves at the next `notify`, or after `ms` at the latest. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        this.#waiters.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, Math.max(0, ms))
      this.#waiters.add(wake)
    })
  }
}
