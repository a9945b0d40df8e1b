// ESLint flat config: typescript-eslint's recommended rules with type information, plus a few rules
// that catch real bugs. Formatting is Prettier's job (.prettierrc.json), so no stylistic rules here.
// typescript-eslint needs TypeScript's JavaScript API, which TypeScript 7 does not ship: package.json
// maps `typescript` to @typescript/typescript6 for it, and takes tsc (TypeScript 7) from @typescript/native.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Dependencies, build outputs and generated data (as in .prettierignore).
    ignores: ['**/node_modules', 'dist/', 'build/', 'build-*/', 'prebuilds/', 'runs/', 'docs/run/', 'test/fixtures/'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        // tsconfig.check.json covers every TypeScript file: lib, test, scripts, examples.
        project: './tsconfig.check.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // `let [spk, mem] = ...` where only mem is reassigned later is fine.
      'prefer-const': ['error', { destructuring: 'all' }],
      // `O extends Options = {}` means "no options"; `interface A extends B {}` names a binding type.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends', allowObjectTypes: 'always' }],
      // Indexed reads carry `!` and forward() results carry tuple casts on purpose (~930 hits).
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // `any` here comes from Array.isArray, parsed data and untyped JS helpers, each checked at run time.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Shapes print as `${[2, 3]}` on purpose; no-base-to-string still catches '[object Object]'.
      '@typescript-eslint/restrict-template-expressions': 'off',
      // Error messages print whatever value was received, with String(v), on purpose.
      '@typescript-eslint/no-base-to-string': 'off',
      // Some async functions have no await so that a table of handlers shares one signature.
      '@typescript-eslint/require-await': 'off',
      // Methods are read to compare identity or from a dispatch table, not called detached.
      '@typescript-eslint/unbound-method': 'off',
      // `DType | DeviceLike` lists accepted forms for readers even where one includes string.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      // `let out: Tensor = this` starts a chain of reassigned results.
      '@typescript-eslint/no-this-alias': 'off',
      // Initialisers that a loop always overwrites are kept for clarity.
      'no-useless-assignment': 'off',
      // Rethrown errors restate the failure in their own message.
      'preserve-caught-error': 'off',
    },
  },
  {
    // chai's property assertions (`expect(x).to.be.empty`) are expressions.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
  {
    // Compile-time type tests: values exist only to be checked with typeof.
    files: ['test/types/**'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    // Plain JavaScript (scripts, bin, test children, this file) is outside the TypeScript program.
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
