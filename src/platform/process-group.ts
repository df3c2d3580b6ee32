import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'

/** A child started as the leader of its own process group, with everything it spawns in that group. */
export interface ProcessGroup {
  child: ChildProcess
  /** SIGTERM to the whole group, then SIGKILL to whatever is left after `graceMs`; resolves when done. */
  stop(graceMs: number): Promise<void>
}

/**
 * Starts `command` in a new process group (Node, POSIX). Tools such as wrangler start grandchildren
 * (workerd) that outlive them when only the tool is signalled; signalling the group reaches them all.
 */
export function spawnProcessGroup(
  command: string,
  args: readonly string[],
  options: Omit<SpawnOptions, 'detached'>,
): ProcessGroup {
  const child = spawn(command, [...args], { ...options, detached: true })
  const pgid = child.pid
  let stopping: Promise<void> | undefined
  return {
    child,
    stop: (graceMs) =>
      (stopping ??= (async () => {
        if (pgid === undefined) return
        signalGroup(pgid, 'SIGTERM')
        const deadline = Date.now() + graceMs
        while (groupAlive(pgid) && Date.now() < deadline) await sleep(50)
        if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL')
      })()),
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
