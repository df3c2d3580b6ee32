// `npm start`: bundles the demo entry (src/platform/node.ts) with esbuild into dist/start.mjs, the way
// `npm run build` bundles the production entry, and runs it in this process. Plain JavaScript, so no
// loader stays in the process. Why not tsx: tsx compiles with esbuild's keepNames, which wraps every
// function it creates in a name-setting call, so each closure made per request costs a property
// definition, and its module hooks keep a worker thread; the demo then served hot feeds measurably
// slower than the production entry (README, Performance). The build takes a fraction of a second.
import { build, stop } from 'esbuild'
import { renameSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
// The entry, and beside it the storage thread it starts (src/platform/threaded-object-store.ts).
const { outputFiles } = await build({
  entryPoints: {
    start: join(root, 'src', 'platform', 'node.ts'),
    'storage-thread': join(root, 'src', 'platform', 'storage-thread.ts'),
  },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  write: false,
  logLevel: 'warning',
})
// esbuild's service process would otherwise live as long as the server.
await stop()
// Written aside and renamed: two starts at once never run a half-written file.
mkdirSync(dist, { recursive: true })
for (const { path, contents } of outputFiles) {
  const partial = `${path}.${process.pid}`
  writeFileSync(partial, contents)
  renameSync(partial, path)
}
await import(pathToFileURL(join(dist, 'start.mjs')).href)
