// One key per jest run, inherited by its workers: the test databases' templates are built once per run
// (tests/support/templates.ts) and dropped by the global teardown.
process.env.ANCHOR_TEST_RUN ??= require('node:crypto').randomBytes(4).toString('hex');

/** @type {import('jest').Config} */
const swc = (tsx) => ({
  jsc: {
    parser: { syntax: 'typescript', decorators: true, tsx },
    // Like tsx at run time: no decorator metadata, so a column without an explicit type fails here too.
    transform: { legacyDecorator: true, decoratorMetadata: false, react: { runtime: 'automatic' } },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
});

const shared = { '^@anchor/shared$': '<rootDir>/shared/src/index.ts' };

module.exports = {
  maxWorkers: 2,
  globalTeardown: '<rootDir>/tests/support/drop-templates.js',
  // a global option: jest ignores it inside a project
  testTimeout: 60000,
  projects: [
    {
      displayName: 'server',
      testEnvironment: 'node',
      roots: ['<rootDir>/tests'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/components/'],
      transform: { '^.+\\.ts$': ['@swc/jest', swc(false)] },
      moduleNameMapper: shared,
    },
    {
      // The mini-program's components in jsdom, Taro mapped to small stand-ins (see tests/components/support).
      displayName: 'components',
      testEnvironment: 'jsdom',
      roots: ['<rootDir>/tests/components'],
      testMatch: ['**/*.test.tsx'],
      transform: { '^.+\\.tsx?$': ['@swc/jest', swc(true)] },
      setupFiles: ['<rootDir>/tests/components/support/setup.ts'],
      moduleNameMapper: {
        ...shared,
        '^@tarojs/components$': '<rootDir>/tests/components/support/taro-components.tsx',
        '^@tarojs/taro$': '<rootDir>/tests/components/support/taro.ts',
        '\\.css$': '<rootDir>/tests/components/support/style.ts',
        '^taro-react-echarts$': '<rootDir>/tests/components/support/echarts.tsx',
        '^echarts/(core|charts|components|renderers)$': '<rootDir>/tests/components/support/echarts.tsx',
      },
    },
  ],
};
