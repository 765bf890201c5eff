// The declaration form and the live code page in headless Chromium: a
// person without today's declaration is sent to /declare, a bad ID is
// refused in place, a declaration with a fever shows a yellow code whose
// QR (cut from a screenshot) decodes with zbarimg, the clock ticks, the
// banner moves, and the code renews itself without a reload.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const { BASE, OUTBOX, CHROMIUM, SHOTS } = process.env;
let passed = 0, failed = 0;
function check(desc, ok, detail = '') {
  if (ok) passed++;
  else { failed++; console.log(`FAIL [browser-code]: ${desc} ${detail}`); }
}
const post = (path, body) => fetch(BASE + path, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
});

const phone = '13900139000';
await post('/api/v1/auth/otp', { phone });
const code = readFileSync(OUTBOX, 'utf8').trim().split('\n')
  .filter((l) => l.startsWith(phone + ' ')).at(-1).split(' ')[1];
const login = await (await post('/api/v1/auth/login', { phone, code })).json();

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const ctx = await browser.newContext({
    viewport: { width: 390, height: 844 }, locale: 'zh-CN', deviceScaleFactor: 2,
    isMobile: true, hasTouch: true,
  });
  await ctx.addCookies([{ name: 'hc_session', value: login.token, url: BASE, httpOnly: true, sameSite: 'Lax' }]);
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));

  await page.goto(`${BASE}/code`);
  check('no declaration: /code sends to /declare', page.url() === `${BASE}/declare`, page.url());

  await page.fill('#name', '王小华');
  await page.selectOption('#id_type', 'resident_id');
  await page.fill('#id_number', '110105194912310021');
  await page.fill('#temperature', '37.5');
  await page.click('#submit-declaration');
  check('bad check digit refused in place',
    (await page.textContent('#form-error'))?.includes('校验位'));
  check('still on /declare', page.url() === `${BASE}/declare`, page.url());
  check('temperature kept', (await page.inputValue('#temperature')) === '37.5');
  check('name kept', (await page.inputValue('#name')) === '王小华');
  check('ID number not sent back', (await page.inputValue('#id_number')) === '');

  await page.fill('#id_number', '11010519491231002X');
  await page.check('input[name=symptoms][value=cough]');
  await page.selectOption('select[name=travel_region] >> nth=0', '330100');
  await page.fill('input[name=travel_date] >> nth=0', '2026-11-28');
  await page.screenshot({ path: `${SHOTS}/declare.png`, fullPage: true });
  await page.click('#submit-declaration');
  if (page.url() !== `${BASE}/code`) console.log('declare page says:', await page.textContent('#form-error').catch(() => '?'));
  check('declared: on /code', page.url() === `${BASE}/code`, page.url());

  const cls = await page.getAttribute('#code', 'class');
  check('fever and a cough: yellow frame', cls === 'code code-yellow', cls);
  check('yellow label', (await page.textContent('#color-label')) === '黄码');
  check('masked name', (await page.textContent('#name-masked')) === '王*华');
  check('masked ID', (await page.textContent('#id-masked')) === '1101**********002X');
  const html = await page.content();
  check('no full ID on the page', !html.includes('11010519491231002X'));
  check('reasons shown', html.includes('发热') && html.includes('有症状'));

  const anim = await page.evaluate(() => getComputedStyle(document.querySelector('.banner span')).animationName);
  check('banner moves', anim === 'marquee', anim);
  const t1 = await page.evaluate(() => getComputedStyle(document.querySelector('.banner span')).transform);
  const c1 = await page.textContent('#clock');
  await page.waitForTimeout(1300);
  const c2 = await page.textContent('#clock');
  const t2 = await page.evaluate(() => getComputedStyle(document.querySelector('.banner span')).transform);
  check('clock ticks', /^\d\d:\d\d:\d\d$/.test(c2) && c1 !== c2, `${c1} -> ${c2}`);
  check('banner position changes', t1 !== t2, `${t1} -> ${t2}`);

  await page.screenshot({ path: `${SHOTS}/code.png`, fullPage: true });
  const qrShot = `${SHOTS}/code-qr.png`;
  await page.locator('#qr').screenshot({ path: qrShot });
  let decoded = '';
  try { decoded = execFileSync('zbarimg', ['-q', '--raw', qrShot], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(); } catch { decoded = ''; }
  check('QR on screen decodes to <base>/v/<token>', decoded.startsWith(`${BASE}/v/ey`), decoded.slice(0, 60));

  const before = await page.innerHTML('#qr');
  await page.waitForFunction(() => document.getElementById('code').hasAttribute('data-renewed'), null, { timeout: 15000 });
  const after = await page.innerHTML('#qr');
  check('code renewed without reload', before !== after && after.includes('<path'));
  check('still the same page', page.url() === `${BASE}/code`);
  await page.locator('#qr').screenshot({ path: qrShot });
  let decoded2 = '';
  try { decoded2 = execFileSync('zbarimg', ['-q', '--raw', qrShot], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(); } catch { decoded2 = ''; }
  check('renewed QR decodes to a new token', decoded2.startsWith(`${BASE}/v/ey`) && decoded2 !== decoded);

  check('no console errors or CSP violations', problems.length === 0, problems.join(' | '));
} catch (e) {
  failed++;
  console.log(`FAIL [browser-code]: ${e.stack || e}`);
} finally {
  await browser.close();
}
console.log(`browser-code: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
