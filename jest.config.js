module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.js'],
  testTimeout: 120000,
  // Native work is already multithreaded; two jest workers match the 2-core CI machine.
  maxWorkers: 2,
};
