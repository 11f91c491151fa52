import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

// The stages of src/, in the order data flows (README "Source layout"). A file
// may import from its own stage and from stages before it, never after: core
// imports nothing outside core, the UI never reaches into the CLI, and so on.
// `beat` (the heartbeat writer) sits with the collectors; `version.ts` and the
// library entry `index.ts` are outside the stages.
const STAGES = [
  ['core'],
  ['config'],
  ['collectors', 'beat.ts'],
  ['store'],
  ['runtime'],
  ['notify'],
  ['server'],
  ['agent'],
  ['ui'],
  ['demo'],
  ['cli'],
];

/** Import paths that reach `name` (a folder, or a top-level module such as beat.ts) from src/. */
const reaching = (name) =>
  name.endsWith('.ts') ? [`**/${name.replace(/\.ts$/, '.js')}`] : [`**/${name}/**`, `**/${name}/*`];

const layering = STAGES.slice(0, -1).map((stage, i) => {
  const later = STAGES.slice(i + 1).flat();
  const core = i === 0;
  return {
    files: stage.map((name) =>
      name.endsWith('.ts') ? `src/${name}` : `src/${name}/**/*.{ts,tsx}`,
    ),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...later.flatMap(reaching), ...(core ? ['**/version.js'] : [])],
              message: `src/${stage[0]} must not import from a later stage (${later.join(', ')}); see README "Source layout".`,
            },
            ...(core
              ? [
                  {
                    group: ['node:*', 'fs', 'fs/*', 'child_process', 'net', 'http', 'os'],
                    message: 'core/ is pure: no I/O; pass what it needs in.',
                  },
                ]
              : []),
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...layering,
  {
    files: ['bin/**/*.js', 'bench/**/*.js', 'test/fixtures/**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
      },
    },
  },
);
