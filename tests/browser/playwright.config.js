// Browser tests drive Debian's chromium (tools/install-deps installs it); Playwright's own
// browser download is never used, so the tests run where only Debian and npm are reachable.
// One worker: CI has two cores, and each test starts its own servers beside the browser.
const { defineConfig } = require('@playwright/test');

module.exports = defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.js',
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: process.env.AMANA_BROWSER_REPORT || 'results/report.json' }]],
  outputDir: 'results/artifacts',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env.AMANA_CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
    trace: 'retain-on-failure',
  },
});
