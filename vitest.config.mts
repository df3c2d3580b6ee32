import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// The vitest pool ignores wrangler's [alias]; repeat it here (see src/platform/aws-xml-builder-shim.ts).
const awsXmlBuilderShim = fileURLToPath(new URL('./src/platform/aws-xml-builder-shim.ts', import.meta.url))

export default defineConfig({
  test: {
    // Files, and the tests within each file, run in a random order (the seed is printed): no test may
    // depend on what the tests before it left behind (tests sharing a store use their own stories or
    // ask for what they read). Rerun one order with --sequence.seed=N.
    sequence: { shuffle: { files: true, tests: true } },
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/workerd/**'],
          environment: 'node',
          testTimeout: 30_000,
          // Hooks start and stop stores holding thousands of stories; on a loaded 2-core machine
          // stopping one and removing its files has taken over a minute.
          hookTimeout: 180_000,
        },
      },
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: './src/platform/worker.ts',
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              // workerd's local R2, for test/workerd/r2.test.ts (bound there as FEEDS_BUCKET; the other
              // tests keep the S3 API against s3rver).
              r2Buckets: ['R2_TEST_BUCKET'],
              bindings: {
                S3_ENDPOINT: inject<string>('s3Endpoint'),
                S3_BUCKET: inject<string>('s3Bucket'),
                S3_ACCESS_KEY_ID: 'S3RVER',
                S3_SECRET_ACCESS_KEY: 'S3RVER',
                S3_FORCE_PATH_STYLE: 'true',
                PUBLIC_BASE_URL: 'https://feeds.silkfeed.test',
                LOG_LEVEL: 'silent',
                WEBHOOK_SECRETS: 'workerd-test-secret-0123456789abcdef',
                ADMIN_SECRETS: 'workerd-admin-secret-0123456789abcdef',
              },
            },
          })),
        ],
        resolve: { alias: { '@aws-sdk/xml-builder': awsXmlBuilderShim } },
        test: {
          name: 'workerd',
          include: ['test/workerd/**/*.test.ts'],
          globalSetup: ['./test/workerd/global-setup.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
})
