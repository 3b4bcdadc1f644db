// `npm run lint`: typescript-eslint's recommended rules, Lit's template rules and Lit's
// accessibility rules for the element. Prettier owns formatting (`npm run lint` runs both).
import js from '@eslint/js';
import lit from 'eslint-plugin-lit';
import litA11y from 'eslint-plugin-lit-a11y';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.cache/', 'test/fixtures/.package-apps/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { ...lit.configs['flat/recommended'], files: ['src/element/**/*.ts'] },
  { ...litA11y.configs.recommended, files: ['src/element/**/*.ts'] },
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
