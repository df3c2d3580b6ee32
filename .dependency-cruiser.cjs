// The one-way flow of src/: domain → i18n, render → storage, services → http → platform.
// A module may import from its own layer and the layers to its left, never from one to its right.
const layers = ['domain', 'i18n|render', 'ports|storage|services', 'http', 'platform']
const above = (i) => layers.slice(i + 1).join('|')

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layers.slice(0, -1).map((layer, i) => ({
      name: `flow-${layer.split('|')[0]}`,
      comment: `src/(${layer}) may not import from a layer after it (${above(i)}).`,
      severity: 'error',
      from: { path: `^src/(${layer})(/|\\.ts$)` },
      to: { path: `^src/(${above(i)})(/|\\.ts$)` },
    })),
    {
      name: 'no-circular',
      comment: 'Import cycles hide the order in which modules are built.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'sdk-only-in-adapters',
      comment: 'Only the storage adapters and platform entries know the AWS SDK.',
      severity: 'error',
      from: { path: '^src/(domain|i18n|render|services|http)/' },
      to: { path: '(^|/)node_modules/@(aws-sdk|smithy)/' },
    },
    {
      name: 'no-node-builtins-below-platform',
      comment: 'Nothing below platform/ may know it runs on Node.',
      severity: 'error',
      from: { path: '^src/(domain|i18n|render|storage|services|http|ports)' },
      // node:zlib is the one exception: workerd provides it under nodejs_compat.
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?zlib$' },
    },
    {
      name: 'storage-not-services',
      comment: 'Storage adapters implement ports; they know nothing of the services that use them.',
      severity: 'error',
      from: { path: '^src/storage/' },
      to: { path: '^src/services/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
}
