import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { connect, createServer, type AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { ROOT } from '../support/samples.ts'
import { adminRequest } from '../support/admin.ts'

// `npm run dev` as a developer runs it (npm, tsx, the embedded store, wrangler and its workerd
// processes), stopped the way a terminal or a process manager stops it: a signal to npm only.

const STOP_BOUND_MS = 5000
const WEBHOOK_SECRET = 'dev-stop-test-secret-0123456789abcdef'

/** The environment without ADMIN_SECRETS: `npm run dev` then uses (or makes) .data/admin-secret. */
function withoutAdminSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { ADMIN_SECRETS: _admin, ...rest } = env
  return rest
}

/** The command line of a process (empty once it is gone). */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return ''
  }
}

let started: { npm: ChildProcess; pids: number[] } | undefined

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

interface ProcessInfo {
  pid: number
  ppid: number
  state: string
  command: string
}

/** Every live process from /proc: the test needs the children of children, wherever their group. */
function processes(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        return [
          {
            pid: Number(name),
            ppid: Number(ppid),
            state: state!,
            command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
          },
        ]
      } catch {
        return []
      }
    })
}

function descendantsOf(root: number): ProcessInfo[] {
  const all = processes()
  const found: ProcessInfo[] = []
  const queue = [root]
  while (queue.length > 0) {
    const pid = queue.shift()!
    for (const child of all.filter((p) => p.ppid === pid)) {
      found.push(child)
      queue.push(child.pid)
    }
  }
  return found
}

/** The pids among `pids` still running (a zombie waiting for its parent to reap it no longer runs). */
function running(pids: readonly number[]): ProcessInfo[] {
  const byPid = new Map(processes().map((p) => [p.pid, p]))
  return pids.flatMap((pid) => {
    const p = byPid.get(pid)
    return p && p.state !== 'Z' ? [p] : []
  })
}

async function startDev(): Promise<{ port: number; storePort: number; output: () => string }> {
  const port = await freePort()
  let output = ''
  const npm = spawn('npm', ['run', 'dev'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...withoutAdminSecrets(process.env),
      PORT: String(port),
      WEBHOOK_SECRETS: WEBHOOK_SECRET,
      LOG_LEVEL: 'warn',
      CI: 'true',
    },
  })
  started = { npm, pids: [npm.pid!] }
  npm.stdout.on('data', (d: Buffer) => (output += d.toString()))
  npm.stderr.on('data', (d: Buffer) => (output += d.toString()))
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    if (npm.exitCode !== null) throw new Error(`npm run dev exited:\n${output}`)
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    )
    if (ok) {
      const storePort = Number(/embedded S3 store at http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1])
      started.pids.push(...descendantsOf(npm.pid!).map((p) => p.pid))
      return { port, storePort, output: () => output }
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`npm run dev did not answer in time:\n${output}`)
}

afterEach(() => {
  // A failed case must not leave a server behind for the next one.
  for (const { pid } of running(started?.pids ?? [])) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  started = undefined
})

describe('npm run dev', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops everything it started and frees its ports on %s to npm',
    async (signal) => {
      const { port, storePort, output } = await startDev()
      const commands = running(started!.pids).map((p) => p.command)
      expect(commands, output()).toEqual(expect.arrayContaining(['workerd']))
      expect(storePort, output()).toBeGreaterThan(0)

      // The secrets reach wrangler in a file, not on a command line every user can read (`ps`).
      const adminSecret = readFileSync(join(ROOT, '.data', 'admin-secret'), 'utf8').trim()
      const lines = started!.pids.map(commandLine).filter((line) => line !== '')
      expect(lines.length).toBeGreaterThan(2)
      for (const line of lines) {
        expect(line).not.toContain(WEBHOOK_SECRET)
        expect(line).not.toContain(adminSecret)
      }
      // The Worker has the admin secret `npm run partner` signs with.
      const local = {
        request: (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init),
      }
      const admin = await adminRequest(local, 'GET', '/admin/partners', undefined, { secret: adminSecret })
      expect(admin.status, await admin.clone().text()).toBe(200)

      process.kill(started!.npm.pid!, signal)
      const deadline = Date.now() + STOP_BOUND_MS
      let left = running(started!.pids)
      let open = [port, storePort]
      while (Date.now() < deadline && (left.length > 0 || open.length > 0)) {
        await new Promise((r) => setTimeout(r, 100))
        left = running(started!.pids)
        open = (
          await Promise.all([port, storePort].map(async (p) => ((await portAccepts(p)) ? [p] : [])))
        ).flat()
      }

      expect(
        left.map((p) => `${p.pid} ${p.command}`),
        output(),
      ).toEqual([])
      expect(open, output()).toEqual([])
    },
    150_000,
  )
})
