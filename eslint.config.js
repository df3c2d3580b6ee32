// ESLint: typescript-eslint's strict, type-checked rules, with the few choices below (each says why).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', '.wrangler/', 'test/.artifacts/', '.ci/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers print the same in every locale's template; objects and unions of them do not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `() => void call()` style arrows are the idiom for callbacks.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // With noUncheckedIndexedAccess, `!` after a checked index is the honest way to say "present".
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Issue 12: no module of the app over 250 lines; one that grows past it has two jobs to split.
    files: ['src/**'],
    rules: { 'max-lines': ['error', { max: 250, skipBlankLines: false, skipComments: false }] },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: {
      // Tests and tools read parsed documents and child-process output of unknown shape.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
      // The same unknown shapes, typed `any` where a parsed document is read field by field.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/restrict-plus-operands': ['error', { allowAny: true }],
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Test doubles implement async ports (ObjectStore, tasks) synchronously, as the port's shape asks.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Plain JavaScript (configs, .mjs tools) and the decision records' one-off measurement script are
    // outside tsconfig: no type information to check them with.
    files: ['**/*.{js,mjs,cjs}', 'docs/**/*.mts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        ...Object.fromEntries(
          [
            'process',
            'console',
            'Buffer',
            'URL',
            'fetch',
            'setTimeout',
            'clearTimeout',
            'setInterval',
            'clearInterval',
            'performance',
            'AbortController',
            'AbortSignal',
          ].map((g) => [g, 'readonly']),
        ),
      },
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
)
