// Lighthouse on the PWA's main pages, signed in as the demo secretary:
// Lighthouse's own mobile preset gives the scores; a page load on a slow
// 3G network with a 4x slower CPU and nothing cached, throttled for real
// by Chromium, gives the timings.
// Usage: node audit.mjs ORIGIN  (the table on stdout, every figure as JSON on stderr)
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const origin = process.argv[2];
const SECRETARY = { phone: '13800000001', password: 'demo1234' };

async function api(path, init = {}) {
  const response = await fetch(`${origin}/api/v1${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers || {}) },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

const session = await api('/auth/login', { method: 'POST', body: JSON.stringify(SECRETARY) });
const auth = { headers: { authorization: `Bearer ${session.access_token}` } };
const me = await api('/me', auth);
const days = await api('/me/theme-days', auth);
const day = days.find((d) => d.org.id === me.branch.id) || days[0];
const pages = [
  ['首页', '/'],
  ['打卡', '/checkin'],
  ['志愿', '/service'],
  ['我的', '/me'],
  ['现场签到', `/theme-days/${day.id}/live`],
  ['审核', '/review'],
  ['志愿时长', `/orgs/${me.branch.id}/hours`],
];

const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

// The session the app keeps in localStorage, as after signing in, set from
// a page of the origin that is not the app (nothing of it gets cached).
async function signIn(page) {
  await page.goto(`${origin}/readyz`);
  await page.evaluate((s) => {
    localStorage.setItem('zhibu.access_token', s.access_token);
    localStorage.setItem('zhibu.refresh_token', s.refresh_token);
    localStorage.setItem('zhibu.member', JSON.stringify(s.member));
  }, session);
}

// Slow 3G as Chromium applies it: 400 ms round trips (as latency per
// request) and 400 kbit/s, both with Lighthouse's adjustment for
// throttling in the browser rather than in the network.
const SLOW_3G = { latency: 400 * 3.75, bytesPerSecond: (400 * 0.9 * 1024) / 8, cpuSlowdown: 4 };

// Marks when the page first shows what it is for: the boot screen gone,
// something in <main>, and no loading line left in it.
const WATCH_SHOWN = `
  (() => {
    const check = () => {
      if (window.__zhibuShown) return;
      const main = document.querySelector('main');
      if (!main || document.getElementById('boot')) return;
      if (!main.innerText.trim() || main.querySelector('[aria-busy=true]')) return;
      window.__zhibuShown = performance.now();
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  })();
`;

// One load on slow 3G: when the shell painted and when the page showed
// its data, in milliseconds from navigation.
async function slowLoad(path) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 360, height: 640, deviceScaleFactor: 2, isMobile: true });
  await signIn(page);
  await page.evaluateOnNewDocument(WATCH_SHOWN);
  const cdp = await page.createCDPSession();
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: SLOW_3G.latency,
    downloadThroughput: SLOW_3G.bytesPerSecond,
    uploadThroughput: SLOW_3G.bytesPerSecond,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOW_3G.cpuSlowdown });
  await page.goto(`${origin}${path}`, { waitUntil: 'domcontentloaded', timeout: 120000 });
  await page.waitForFunction(() => window.__zhibuShown, { timeout: 120000, polling: 100 });
  const timings = await page.evaluate(() => ({
    fcp_ms: Math.round(performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN),
    shown_ms: Math.round(window.__zhibuShown),
  }));
  await context.close();
  return timings;
}

// Each audit in a fresh browser context: no service worker, no HTTP cache.
async function audit(path) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await signIn(page);
  const settings = {
    formFactor: 'mobile',
    disableStorageReset: true,
    onlyCategories: ['performance', 'accessibility', 'best-practices'],
  };
  const result = await lighthouse(`${origin}${path}`, { output: 'json', logLevel: 'error' },
    { extends: 'lighthouse:default', settings }, page);
  await context.close();
  const lhr = result.lhr;
  const score = (id) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
  const ms = (id) => Math.round(lhr.audits[id]?.numericValue ?? NaN);
  return {
    performance: score('performance'),
    accessibility: score('accessibility'),
    best_practices: score('best-practices'),
    cls: lhr.audits['cumulative-layout-shift']?.numericValue ?? null,
    fcp_ms: ms('first-contentful-paint'),
    lcp_ms: ms('largest-contentful-paint'),
    tbt_ms: ms('total-blocking-time'),
    runtime_error: lhr.runtimeError?.message ?? null,
  };
}

const RUNS = 5;
const rows = [];
for (const [name, path] of pages) {
  // Blocking time varies from run to run; the run with the median score stands.
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await audit(path));
  runs.sort((a, b) => a.performance - b.performance);
  const mobile = { ...runs[Math.floor(RUNS / 2)], all: runs.map((r) => r.performance) };
  const slow = await slowLoad(path);
  rows.push({ name, path, mobile, slow });
}
await browser.close();

// The table for BENCHMARKS.md, between its Lighthouse markers.
const lines = [
  '| page | performance | accessibility | best practices | CLS | LCP | TBT | slow 3G: shell painted | slow 3G: data shown |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map(({ name, path, mobile, slow }) =>
    `| ${name} \`${path.replace(/\d+/g, '{id}')}\` | ${mobile.performance} | ${mobile.accessibility} | ${mobile.best_practices} | ${mobile.cls?.toFixed(3)} | ${(mobile.lcp_ms / 1000).toFixed(1)} s | ${mobile.tbt_ms} ms | ${(slow.fcp_ms / 1000).toFixed(1)} s | ${(slow.shown_ms / 1000).toFixed(1)} s |`),
];
const table = lines.join('\n');
process.stderr.write(JSON.stringify({ rows }, null, 1) + '\n');
process.stdout.write(table + '\n');
