// ESLint (flat config): JavaScript + typescript-eslint (type-aware) + eslint-plugin-svelte. `npm run lint` runs it
// with `prettier --check`; tests/run-all.sh runs that right after the type check.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const UNSAFE_ANY = ['no-unsafe-argument', 'no-unsafe-assignment', 'no-unsafe-call', 'no-unsafe-member-access', 'no-unsafe-return'];
const off = (rules) => Object.fromEntries(rules.map((r) => [`@typescript-eslint/${r}`, 'off']));

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'tests/fixtures/',
      'tests/**/fixtures/',
      'tests/artifacts/',
      'wasm/sha256/pkg/',
      'wasm/sha256/target/',
      'target/',
      '.vite/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node, ...globals.worker },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname, extraFileExtensions: ['.svelte'] },
    },
    rules: {
      // A leading underscore marks a deliberately unused binding (a rest sibling, a positional parameter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // An `async` signature is often the interface (AsyncIterable sources, Promise-returning APIs) even with nothing to await.
      '@typescript-eslint/require-await': 'off',
      // Re-rejecting a caught error (typed `unknown`) as it came is intended.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // `{' '}` is how a template keeps a space between inline elements that the formatter wraps onto two lines.
      'svelte/no-useless-mustaches': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    // The Svelte parser types the props of an imported component as `any`, so every callback prop would be flagged.
    files: ['**/*.svelte'],
    rules: off(UNSAFE_ANY),
  },
  {
    // Tests read JSON output (`JSON.parse` → any) and poke at it; typing each parse adds nothing to what they check.
    files: ['tests/**'],
    rules: off(UNSAFE_ANY),
  },
  {
    // Plain JavaScript outside the TypeScript project: syntax rules only.
    files: ['**/*.js', 'wasm/**'],
    ...tseslint.configs.disableTypeChecked,
  },
);
