// Lint: typescript-eslint's recommended rules, plus nx's module boundaries:
// a plugin package (a loss, a model, a dataset) may depend only on core packages,
// so adding a variant never reaches into the framework's internals.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.nx/**', 'results/**', '**/*.mjs', '**/*.cjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          enforceBuildableLibDependency: false,
          depConstraints: [
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:core'] },
            { sourceTag: 'type:plugin', onlyDependOnLibsWithTags: ['type:core'] },
            { sourceTag: 'type:framework', onlyDependOnLibsWithTags: ['type:core', 'type:framework'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:core', 'type:framework', 'type:plugin'] },
          ],
        },
      ],
    },
  },
];
