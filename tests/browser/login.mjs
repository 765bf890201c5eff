// Signs in through the real pages in headless Chromium, as a person on a
// phone would: phone number, "send code", the code from the outbox,
// "sign in", the home page, sign out.  Prints "browser: N passed, N failed".
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const { BASE, OUTBOX, CHROMIUM, SHOTS } = process.env;
let passed = 0, failed = 0;
function check(desc, ok, detail = '') {
  if (ok) passed++;
  else { failed++; console.log(`FAIL [browser]: ${desc} ${detail}`); }
}

const phone = '13800138000';
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync'],
});
try {
  const ctx = await browser.newContext({
    viewport: { width: 390, height: 844 }, locale: 'zh-CN',
    deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  });
  const page = await ctx.newPage();
  const problems = [];
  // Error pages answer with 4xx statuses by design; Chromium logs those
  // as "Failed to load resource".  Anything else (CSP refusals, script
  // errors) is a problem.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));

  let resp = await page.goto(`${BASE}/`);
  check('/ lands on /login', page.url() === `${BASE}/login`, page.url());
  check('login page 200', resp.status() === 200, String(resp.status()));
  check('title', (await page.title()).includes('手机号登录'), await page.title());
  const cssOk = await page.evaluate(() =>
    getComputedStyle(document.querySelector('.bar')).backgroundColor);
  check('stylesheet applied (green bar)', cssOk === 'rgb(26, 159, 85)', cssOk);

  await page.fill('#phone', '12345');
  await page.click('button[value=send]');
  check('bad phone: error in place',
    (await page.textContent('#phone-error'))?.includes('11 位手机号'));

  await page.fill('#phone', phone);
  await page.click('button[value=send]');
  await page.waitForSelector('#sent');
  check('code sent notice', (await page.textContent('#sent')).includes('验证码已发送'));
  check('phone kept', (await page.inputValue('#phone')) === phone);
  await page.screenshot({ path: `${SHOTS}/login-sent.png`, fullPage: true });

  const lines = readFileSync(OUTBOX, 'utf8').trim().split('\n')
    .filter((l) => l.startsWith(phone + ' '));
  const code = lines.at(-1).split(' ')[1];
  check('code delivered to the outbox', /^\d{6}$/.test(code), code);

  await page.fill('#code', code === '000000' ? '000001' : '000000');
  await page.click('button[value=login]');
  check('wrong code: error in place',
    (await page.textContent('#code-error'))?.includes('验证码不正确'));

  await page.fill('#code', code);
  await Promise.all([page.waitForURL(`${BASE}/`), page.click('button[value=login]')]);
  check('home after sign-in', page.url() === `${BASE}/`, page.url());
  check('masked phone shown',
    (await page.textContent('#phone-masked')) === '138****8000');
  const html = await page.content();
  check('full phone not on the page', !html.includes(phone));
  const cookies = await ctx.cookies();
  const sess = cookies.find((c) => c.name === 'hc_session');
  check('session cookie is HttpOnly', sess && sess.httpOnly === true);
  check('session cookie is SameSite=Lax', sess && sess.sameSite === 'Lax');
  const jsCookie = await page.evaluate(() => document.cookie);
  check('scripts cannot read the session', !jsCookie.includes('hc_session'), jsCookie);
  await page.screenshot({ path: `${SHOTS}/home.png`, fullPage: true });

  await Promise.all([page.waitForURL(`${BASE}/login`), page.click('#logout')]);
  check('sign out lands on /login', page.url() === `${BASE}/login`, page.url());
  resp = await page.goto(`${BASE}/`);
  check('signed out: / goes to /login', page.url() === `${BASE}/login`, page.url());

  check('no console errors or CSP violations', problems.length === 0, problems.join(' | '));
} catch (e) {
  failed++;
  console.log(`FAIL [browser]: ${e.stack || e}`);
} finally {
  await browser.close();
}
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
