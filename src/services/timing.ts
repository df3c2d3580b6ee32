/** The shortest change-log retention an operator can configure (`CHANGE_LOG_RETENTION_HOURS` ≥ 1). */
const MIN_CHANGE_LOG_RETENTION_MS = 3_600_000

/** What an operator sets; everything else in `FeedTiming` follows from it. */
export interface TimingSettings {
  /** How long a hot copy is served without asking storage. */
  freshMs: number
  /** Upper bound for one storage request on the read path. */
  storageTimeoutMs: number
  /** How far before a snapshot's last read of the change log the next read starts. */
  overlapMs: number
  /** How long the change log keeps an entry (maintenance deletes older ones). */
  changeLogMs?: number
}

/** The timing the read and write sides rely on, derived from the settings and checked together. */
export interface FeedTiming extends Required<TimingSettings> {
  /**
   * How often a feed's snapshot is stored: it is a checkpoint of the change log (which holds every
   * change, durable before any render), so storing it at every render would only write each feed's
   * stories again; a process that starts meanwhile reads the stored snapshot and the log since it.
   */
  checkpointMs: number
  /** How long a snapshot this process rendered from stands in for the stored one. */
  snapshotMemoryMs: number
  /** How long a change-log listing may serve other renders of this process. */
  sharedListingMs: number
  /**
   * With healthy storage, a hot copy is never older than this: it is served as it is for `freshMs`,
   * then while one refresh (bounded by the storage timeout) runs beside the requests.
   */
  freshnessBoundMs: number
}

const CHECKPOINT_MS = 60_000
const SNAPSHOT_MEMORY_MS = 10 * CHECKPOINT_MS

/**
 * The shortest change-log retention for an overlap: a render reads the log from a remembered
 * snapshot's listing time, an overlap before it, and maintenance stores snapshots again at half the
 * retention, so half of it must cover the snapshot memory plus the overlap.
 */
export function leastChangeLogMs(overlapMs: number): number {
  return 2 * (Math.max(SNAPSHOT_MEMORY_MS, CHECKPOINT_MS) + overlapMs)
}

/** Derives the timing from the settings; throws when the change log would not outlive what stands on it. */
export function feedTiming(settings: TimingSettings): FeedTiming {
  const checkpointMs = CHECKPOINT_MS
  const timing: FeedTiming = {
    changeLogMs: MIN_CHANGE_LOG_RETENTION_MS,
    ...settings,
    checkpointMs,
    snapshotMemoryMs: SNAPSHOT_MEMORY_MS,
    // Other processes' news is held back no longer than a hot copy holds it anyway.
    sharedListingMs: Math.min(1000, settings.freshMs),
    // HOT_CACHE_MS=0 promises that every request asks storage: no copy is served past it then.
    freshnessBoundMs: settings.freshMs === 0 ? 0 : settings.freshMs + settings.storageTimeoutMs,
  }
  // A render reads the log from a remembered snapshot's listing time, an overlap before it: that part
  // of the log must still be there. Maintenance stores snapshots again at half the retention.
  const needed = leastChangeLogMs(timing.overlapMs)
  if (timing.changeLogMs < needed) {
    throw new Error(
      `change-log retention (${timing.changeLogMs} ms) must be at least twice the snapshot memory plus the overlap: ${needed} ms`,
    )
  }
  return timing
}
