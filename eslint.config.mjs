// ESLint flat config. Layering rules enforce ARCHITECTURE.md's invariants: who may import whom.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const lspAndEditor = {
  group: ['vscode', 'vscode-languageserver*', 'vscode-languageclient*', 'vscode-jsonrpc*'],
  message: 'dsl knows nothing of LSP or VS Code (ARCHITECTURE.md).',
};
const tensorflow = { group: ['@tensorflow/*'], message: 'dsl knows nothing of TensorFlow.js (ARCHITECTURE.md).' };
const io = {
  group: ['node:*', 'fs', 'fs/*', 'path', 'child_process', 'worker_threads', 'os', 'url', 'http', 'https', 'net'],
  message: 'dsl does no IO: the host passes file contents in (ARCHITECTURE.md).',
};
const upward = {
  group: [
    '@ouro/server',
    '@ouro/server/*',
    '@ouro/runtime',
    '@ouro/runtime/*',
    '**/server/**',
    '**/runtime/**',
    '**/client/**',
  ],
  message: 'dsl depends on nothing of the other packages (ARCHITECTURE.md).',
};
const dslPatterns = [lspAndEditor, tensorflow, io, upward];

// runtime (issue #4) sees only the IR: types from @ouro/dsl, no text, AST or LSP, and no file IO (the host
// reads specs and writes results). Backends load by dynamic import().
const runtimeRestrictions = {
  paths: [
    {
      name: '@ouro/dsl',
      allowTypeImports: true,
      message: 'runtime sees only the IR: import types from @ouro/dsl, never values (ARCHITECTURE.md).',
    },
  ],
  patterns: [
    { group: lspAndEditor.group, message: 'runtime knows nothing of LSP or VS Code (ARCHITECTURE.md).' },
    {
      group: ['fs', 'fs/*', 'node:fs', 'node:fs/*'],
      message: 'runtime does no file IO: the host (server) reads specs and writes results (ARCHITECTURE.md).',
    },
    {
      group: ['@ouro/dsl/*', '**/dsl/**', '@ouro/server', '@ouro/server/*', '**/server/**', '**/client/**'],
      message: 'runtime depends only on the IR types of @ouro/dsl (ARCHITECTURE.md).',
    },
  ],
};

export default tseslint.config(
  { ignores: ['**/out/**', '**/node_modules/**', '**/dist/**', 'test-output/**', 'client/media/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['dsl/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: dslPatterns }] },
  },
  {
    files: ['dsl/src/syntax/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...dslPatterns,
            {
              group: ['**/semantics/**', '**/ir/**', '**/format/**'],
              message: 'syntax knows nothing of semantics, IR or formatting (ARCHITECTURE.md).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['dsl/src/semantics/**/*.ts', 'dsl/src/catalog/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...dslPatterns,
            {
              group: ['**/ir/**', '**/format/**'],
              message: 'semantics knows nothing of the IR or the formatter (ARCHITECTURE.md).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['runtime/src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', runtimeRestrictions] },
  },
);
