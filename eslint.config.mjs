// Lint of the project (npm run lint, part of npm test): typescript-eslint's recommended rules, the
// walls of docs/architecture.md as import restrictions, and the house's naming rule.
import tseslint from 'typescript-eslint';
import singleLetterNames from './config/lint/single-letter-names.mjs';

const reference = {
  group: ['**/reference-lgc', '**/reference-lgc/**'],
  message: 'the harness knows the reference LGC only as any other target (docs/architecture.md, the walls)',
};
const harnessParts = ['harness', 'oracles', 'drivers', 'doubles', 'report', 'cli', 'cda', 'config', 'fixtures'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'build/**', 'reports/**', 'rules/**', 'fixtures/**', 'java/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    plugins: { vigie: { rules: { 'single-letter-names': singleLetterNames } } },
    rules: {
      'vigie/single-letter-names': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='setTimeout'][arguments.length>=2]:not(:has(Identifier[name=/unref|clearTimeout/]))",
          message: 'waits go through src/harness/wait.ts (eventually / never / within / pause)',
        },
      ],
    },
  },
  // Steps, drivers and the harness's runner never import the reference LGC.
  {
    files: [
      'steps/**/*.ts',
      'src/drivers/**/*.ts',
      'src/harness/**/*.ts',
      'src/report/**/*.ts',
      'src/cli/**/*.ts',
      'src/doubles/**/*.ts',
      'src/cda/**/*.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { patterns: [reference] }] },
  },
  // Oracles judge the data handed to them: no driver, double, step, harness or reference code.
  {
    files: ['src/oracles/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            reference,
            {
              group: ['../*', '!../oracles'],
              message: 'an oracle imports only other oracles (and libraries): it judges the data handed to it',
            },
            { group: ['**/steps/**'], message: 'an oracle never imports a step' },
          ],
        },
      ],
    },
  },
  // Doubles know nothing of the reference LGC, of the drivers that act on it or of the steps.
  {
    files: ['src/doubles/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [reference, { group: ['**/drivers/**', '**/steps/**'], message: 'a double knows nothing of who calls it' }] },
      ],
    },
  },
  // The reference LGC imports nothing from the harness (its own cda/, dmp/… folders are its own).
  ...[
    ['src/reference-lgc/*.ts', '../'],
    ['src/reference-lgc/*/*.ts', '../../'],
    ['src/reference-lgc/*/*/*.ts', '../../../'],
  ].map(([files, up]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...harnessParts.flatMap((p) => [`${up}${p}`, `${up}${p}/**`]), '**/steps/**'],
              message: 'the reference LGC is a separate program: it imports nothing from the harness',
            },
          ],
        },
      ],
    },
  })),
  // Steps and tests wait only through the one waiting policy.
  {
    files: ['steps/**/*.ts', 'test/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='setTimeout']",
          message: 'waits go through src/harness/wait.ts (eventually / never / within / pause)',
        },
        { selector: 'WhileStatement', message: 'no loop of its own on a clock: src/harness/wait.ts' },
      ],
    },
  },
);
