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
const outfile = join(root, 'dist', 'start.mjs')
const { outputFiles } = await build({
  entryPoints: [join(root, 'src', 'platform', 'node.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  outfile,
  write: false,
  logLevel: 'warning',
})
// esbuild's service process would otherwise live as long as the server.
await stop()
// Written aside and renamed: two starts at once never run a half-written file.
mkdirSync(dirname(outfile), { recursive: true })
const partial = `${outfile}.${process.pid}`
writeFileSync(partial, outputFiles[0].contents)
renameSync(partial, outfile)
await import(pathToFileURL(outfile).href)
