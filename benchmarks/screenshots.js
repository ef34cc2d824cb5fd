#!/usr/bin/env node
// Screenshots of report.html in headless Chromium (Debian's `chromium`, no
// npm package): node benchmarks/screenshots.js REPORT.html PREFIX
// writes PREFIX-plots.png (the top of the page: heatmap, scatter, per-layer
// plots), PREFIX-nulls.png and PREFIX-samples.png (the sample view with an
// organism that showed the behaviour picked in its filter).
//
// Chromium's own --screenshot captures only the first screen, so this drives
// it over the DevTools protocol (Node's WebSocket, behind
// --experimental-websocket on Node 20) to clip a section wherever it is.
// `npm run screenshots [-- CI_OUT]` (benchmarks/screenshots.sh) regenerates docs/img/.
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync, existsSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { pathToFileURL } = require('node:url');

const WIDTH = 1400;
/** the tallest clip kept: enough for a section's first screens, small enough for a PNG in the repo */
const MAX_HEIGHT = 2600;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

function fail(msg) {
  process.stderr.write(`screenshots: ${msg}\n`);
  process.exit(1);
}

/** Start Chromium headless with the page and return its DevTools port and process. */
function launch(url, profile) {
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, `--window-size=${WIDTH},1000`, '--hide-scrollbars', '--remote-debugging-port=0', url];
  const proc = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((res, rej) => {
    let err = '';
    const timer = setTimeout(() => rej(new Error(`${CHROMIUM} printed no DevTools address in 60 s: ${err.slice(-300)}`)), 60000);
    proc.on('error', (e) => rej(new Error(`${CHROMIUM}: ${e.message} (apt-get install -y chromium)`)));
    proc.stderr.on('data', (d) => {
      err += d;
      const m = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(err);
      if (m) {
        clearTimeout(timer);
        res({ port: Number(m[1]), proc });
      }
    });
  });
}

/** A minimal DevTools client: send(method, params) -> result; next(event) -> its next params. */
async function connect(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const page = targets.find((t) => t.type === 'page');
  if (!page) throw new Error('no page target');
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((res, rej) => ((ws.onopen = res), (ws.onerror = () => rej(new Error('DevTools connection failed')))));
  let nextId = 1;
  const waiting = new Map();
  const listeners = new Map();
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.id === undefined) {
      const l = listeners.get(msg.method);
      if (l) listeners.delete(msg.method), l(msg.params);
      return;
    }
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.error) w.rej(new Error(`${w.method}: ${msg.error.message}`));
    else w.res(msg.result);
  };
  const send = (method, params = {}) =>
    new Promise((res, rej) => {
      const id = nextId++;
      waiting.set(id, { res, rej, method });
      ws.send(JSON.stringify({ id, method, params }));
    });
  const next = (method) => new Promise((res) => listeners.set(method, res));
  return { send, next, close: () => ws.close() };
}

async function evaluate(cdp, expression) {
  const r = await cdp.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
  if (r.exceptionDetails) throw new Error(`page script failed: ${r.exceptionDetails.text}`);
  return r.result.value;
}

/** The page box [top, bottom) from the top of element `from` to the top of element `to` (or `from`'s bottom). */
function boxScript(from, to) {
  return `(() => {
    const a = document.querySelector(${JSON.stringify(from)});
    if (!a) return null;
    const top = a.getBoundingClientRect().top + scrollY;
    const b = ${to ? `document.querySelector(${JSON.stringify(to)})` : 'null'};
    const bottom = b ? b.getBoundingClientRect().top + scrollY : a.getBoundingClientRect().bottom + scrollY;
    return [Math.max(0, Math.floor(top) - 8), Math.ceil(bottom)];
  })()`;
}

async function shoot(cdp, file, box) {
  const [top, bottom] = box;
  const height = Math.min(MAX_HEIGHT, bottom - top);
  const shot = await cdp.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: top, width: WIDTH, height, scale: 1 } });
  writeFileSync(file, Buffer.from(shot.data, 'base64'));
  process.stdout.write(`${file}: ${WIDTH}x${height} from y=${top}\n`);
}

// Loaded, fonts in, and the page height the same over two checks 250 ms apart:
// measured earlier, a long page's sections can still be moving.
const SETTLED = `(async () => {
  if (document.readyState !== 'complete') await new Promise((r) => addEventListener('load', () => r()));
  await document.fonts.ready;
  let last = -1;
  while (last !== document.documentElement.scrollHeight) {
    last = document.documentElement.scrollHeight;
    await new Promise((r) => setTimeout(r, 250));
  }
})()`;

// In the sample view, pick the first organism that has an answer showing the behaviour (else the first) and open its findings.
const PICK_ORGANISM = `(() => {
  const sel = document.getElementById('sv-org');
  if (!sel) return 'no sample view';
  const withHit = [...document.querySelectorAll('#samples .sv-org')].find((d) => d.querySelector('tr[data-fired="yes"]'));
  if (withHit) sel.value = withHit.getAttribute('data-org');
  sel.dispatchEvent(new Event('change'));
  const shown = document.querySelector('#samples .sv-org:not([hidden]) details.findings');
  if (shown) shown.open = true;
  return sel.options[sel.selectedIndex].text;
})()`;

async function main() {
  const [report, prefix] = process.argv.slice(2);
  if (!report || !prefix) fail('usage: node --experimental-websocket benchmarks/screenshots.js REPORT.html OUT_PREFIX');
  if (!existsSync(report)) fail(`${report} not found`);
  if (typeof WebSocket === 'undefined') fail('no WebSocket in this Node (run with --experimental-websocket on Node 20)');
  const profile = mkdtempSync(join(tmpdir(), 'molt-shots-'));
  const { port, proc } = await launch('about:blank', profile);
  try {
    const cdp = await connect(port);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: WIDTH, height: 1000, deviceScaleFactor: 1, mobile: false });
    // navigated from here, so no evaluation runs in a page that is about to be replaced
    await cdp.send('Page.enable');
    const loaded = cdp.next('Page.loadEventFired');
    await cdp.send('Page.navigate', { url: pathToFileURL(resolve(report)).href });
    await loaded;
    await evaluate(cdp, SETTLED);
    await shoot(cdp, `${prefix}-plots.png`, await evaluate(cdp, boxScript('body', '#nulls')));
    await shoot(cdp, `${prefix}-nulls.png`, await evaluate(cdp, boxScript('#nulls', '#summary')));
    const picked = await evaluate(cdp, PICK_ORGANISM);
    process.stdout.write(`sample view: ${picked}\n`);
    await shoot(cdp, `${prefix}-samples.png`, await evaluate(cdp, boxScript('#samples', '#failures')));
    cdp.close();
  } finally {
    proc.kill();
    await new Promise((r) => proc.once('exit', r));
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => fail(e.message));
