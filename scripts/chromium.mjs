// Debian's chromium as the browser tests and `npm run figures` drive it (playwright-core): where it is, and
// the flags that keep a headless run quiet and offline.
export const chromiumPath = process.env.OURO_CHROMIUM ?? '/usr/bin/chromium';

export const headlessArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-dev-shm-usage',
];
