import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/dist-bundle', '**/dist-bundle.*.staging', '**/dist-chart-modules', '**/dist-chart-modules.*.staging', '**/dist-page', '**/.page-build-*', '**/out-tsc', '**/node_modules', '**/vitest.config.*.timestamp*', 'reports/**', '.venv/**'],
  },
  {
    // Indexing typed arrays and maps we just filled is common here; `!` there is clearer than a dead branch.
    files: ['**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/src/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            // core depends on nothing of ours
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: [] },
            // plugins depend only on core
            { sourceTag: 'type:plugin', onlyDependOnLibsWithTags: ['type:core'] },
            // libraries depend on core and other libraries, never on the cli
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:core', 'type:lib'] },
            // the cli wires everything together; nothing depends on it
            { sourceTag: 'type:cli', onlyDependOnLibsWithTags: ['type:core', 'type:lib', 'type:plugin'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:core', 'type:lib', 'type:plugin'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
