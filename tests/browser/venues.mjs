// Venue codes (场所码) in headless Chromium, as people use them: an owner
// registers a venue through the form and gets its poster, which prints on
// one A4 or A5 sheet; a visitor's phone scans the poster (its QR cut from
// a screenshot and decoded by zbarimg), opens the URL, signs in and comes
// straight back, confirms, and sees the result for the door staff; a
// declared visitor sees their green code big; the itinerary lists both.
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const { BASE, OUTBOX, CHROMIUM, SHOTS } = process.env;
let passed = 0, failed = 0;
function check(desc, ok, detail = '') {
  if (ok) passed++;
  else { failed++; console.log(`FAIL [browser-venues]: ${desc} ${detail}`); }
}
const post = (path, body, token) => fetch(BASE + path, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
});
const otpOf = (phone) => readFileSync(OUTBOX, 'utf8').trim().split('\n')
  .filter((l) => l.startsWith(phone + ' ')).at(-1).split(' ')[1];
async function apiLogin(phone) {
  await post('/api/v1/auth/otp', { phone });
  return (await (await post('/api/v1/auth/login', { phone, code: otpOf(phone) })).json()).token;
}
function decode(file) {
  try {
    return execFileSync('zbarimg', ['-q', '--raw', file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch { return ''; }
}
const pdfPages = (buf) => (buf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const phoneCtx = () => browser.newContext({
  viewport: { width: 390, height: 844 }, locale: 'zh-CN', deviceScaleFactor: 2,
  isMobile: true, hasTouch: true,
});
const problems = [];
function watch(page) {
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  return page;
}

try {
  // --- the owner registers a venue and opens its poster ------------------
  const owner = await apiLogin('13600000001');
  const octx = await browser.newContext({ viewport: { width: 1024, height: 1200 }, locale: 'zh-CN' });
  await octx.addCookies([{ name: 'hc_session', value: owner, url: BASE, httpOnly: true, sameSite: 'Lax' }]);
  const op = watch(await octx.newPage());
  await op.goto(`${BASE}/venues`);
  check('no venues yet', (await op.locator('#venues-none').count()) === 1);
  await op.fill('#venue-name', '');
  await op.fill('#venue-address', '湖滨路 1 号');
  await op.click('#create-venue');
  check('empty name refused in place', (await op.textContent('#form-error'))?.includes('请填写'));
  check('address kept', (await op.inputValue('#venue-address')) === '湖滨路 1 号');
  await op.fill('#venue-name', '湖滨银泰 in77');
  await op.selectOption('#venue-region', '330100');
  await op.click('#create-venue');
  check('created: on the poster', /\/venues\/\d+\/poster$/.test(op.url()), op.url());
  check('poster names the venue', (await op.textContent('#poster-name')) === '湖滨银泰 in77');
  check('poster says how', (await op.textContent('#poster')).includes('请扫码登记'));
  await op.screenshot({ path: `${SHOTS}/venue-poster.png`, fullPage: true });
  const qrShot = `${SHOTS}/venue-poster-qr.png`;
  await op.locator('#poster-qr').screenshot({ path: qrShot });
  const url = decode(qrShot);
  check('poster QR decodes to <base>/c/<token>', new RegExp(`^${BASE}/c/[A-Za-z0-9_-]{22}$`).test(url), url);
  check('the URL printed under it is the same', (await op.textContent('#checkin-url')) === url);

  // Printed: the poster alone, on one sheet of A4 and of A5.
  await op.emulateMedia({ media: 'print' });
  check('print: no header bar', !(await op.isVisible('header.bar')));
  check('print: no controls', !(await op.isVisible('#rotate')));
  check('print: the QR is there', await op.isVisible('#poster-qr svg'));
  await op.emulateMedia({ media: null });  // back to the default: pdf() prints
  for (const format of ['A4', 'A5']) {
    const pdf = await op.pdf({ format, printBackground: true });
    check(`prints on one ${format} page`, pdfPages(pdf) === 1, String(pdfPages(pdf)));
  }
  await op.pdf({ path: `${SHOTS}/venue-poster-a5.pdf`, format: 'A5', printBackground: true });

  // --- a visitor who is not signed in scans it ----------------------------
  const vctx = await phoneCtx();
  const vp = watch(await vctx.newPage());
  await vp.goto(url);
  check('signed out: sent to sign in', vp.url().startsWith(`${BASE}/login?next=`), vp.url());
  const visitor = '13600000002';
  await vp.fill('#phone', visitor);
  await vp.click('button[value=send]');
  await vp.waitForSelector('#sent');
  await vp.fill('#code', otpOf(visitor));
  await vp.click('button[value=login]');
  check('signed in: back on the check-in', vp.url() === url, vp.url());
  check('check-in names the venue', (await vp.textContent('#venue-name')) === '湖滨银泰 in77');
  await vp.screenshot({ path: `${SHOTS}/checkin-confirm.png`, fullPage: true });
  await vp.click('#confirm-checkin');
  check('no declaration: no code today', (await vp.getAttribute('#checkin-result', 'class')) === 'code code-none');
  check('no declaration: said so', (await vp.textContent('#color-label')) === '今日无码');
  check('no declaration: asked to declare', await vp.isVisible('#go-declare'));
  check('the visit time', /^2026-11-29 10:00:\d\d$/.test(await vp.textContent('#checked-in-at')));
  await vp.screenshot({ path: `${SHOTS}/checkin-no-code.png`, fullPage: true });

  // --- a declared visitor, already signed in, scans it --------------------
  const green = await apiLogin('13600000003');
  const decl = await post('/api/v1/declarations', {
    name: '李小梅', id_type: 'resident_id', id_number: '330102199003070043',
    temperature: 36.5, symptoms: [], travel: [], contact: false,
  }, green);
  check('visitor declared', decl.status === 201, String(decl.status));
  const gctx = await phoneCtx();
  await gctx.addCookies([{ name: 'hc_session', value: green, url: BASE, httpOnly: true, sameSite: 'Lax' }]);
  const gp = watch(await gctx.newPage());
  await gp.goto(url);
  check('signed in: the check-in at once', gp.url() === url, gp.url());
  await gp.click('#confirm-checkin');
  check('green frame', (await gp.getAttribute('#checkin-result', 'class')) === 'code code-green');
  check('green label', (await gp.textContent('#color-label')) === '绿码');
  const big = await gp.evaluate(() => {
    const s = getComputedStyle(document.getElementById('color-label'));
    return { size: parseFloat(s.fontSize), color: s.color };
  });
  check('the colour is big, in green', big.size >= 40 && big.color === 'rgb(26, 159, 85)', JSON.stringify(big));
  check('masked name for the staff', (await gp.textContent('#name-masked')) === '李*梅');
  check('venue on the result', (await gp.textContent('#venue-name')) === '湖滨银泰 in77');
  const anim = await gp.evaluate(() => getComputedStyle(document.querySelector('.banner span')).animationName);
  check('the banner moves', anim === 'marquee', anim);
  await gp.screenshot({ path: `${SHOTS}/checkin-green.png`, fullPage: true });

  await gp.click('#go-itinerary');
  check('itinerary page', gp.url() === `${BASE}/itinerary`, gp.url());
  const trips = await gp.locator('.trip-venue').allTextContents();
  check('the visit in the itinerary', trips.length === 1 && trips[0] === '湖滨银泰 in77', JSON.stringify(trips));

  // --- the owner replaces the code: the old poster stops working ---------
  await op.click('#rotate');
  await op.locator('#poster-qr').screenshot({ path: qrShot });
  const url2 = decode(qrShot);
  check('a new code on the poster', url2.startsWith(`${BASE}/c/`) && url2 !== url, url2);
  const old = await gp.goto(url);
  check('the old code: 404', old.status() === 404, String(old.status()));
  check('the old code: a clear message', (await gp.textContent('main')).includes('场所码无效或已更换'));

  check('no console errors or CSP violations', problems.length === 0, problems.join(' | '));
} catch (e) {
  failed++;
  console.log(`FAIL [browser-venues]: ${e.stack || e}`);
} finally {
  await browser.close();
}
console.log(`browser-venues: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
