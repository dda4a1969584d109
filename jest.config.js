/** Tests run TypeScript through ts-jest in transpile-only mode; `npm run lint` type-checks. */
const os = require('os');

module.exports = {
  // jest's default (cores - 1) is one worker on a 2-core runner; most suites wait on child processes,
  // sockets and onnxruntime sessions, so two workers there roughly halve the wall time.
  maxWorkers: Math.max(2, os.cpus().length - 1),
  testEnvironment: '<rootDir>/jest.environment.js',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }],
  },
  testTimeout: 120000,
};
