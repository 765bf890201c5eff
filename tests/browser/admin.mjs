// The health authority's console in headless Chromium at a laptop
// viewport, as an officer uses it: imports a case list from a file and
// sees the counts, sees the listed citizen's code turn red, sees the
// overview's charts, walks a trace from the case to the people at the
// same venue and marks them, decides the citizen's appeal, sets a risk
// area, and finds the audit chain whole.  Screenshots of each step are
// saved with the test output.
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';

const { BASE, OUTBOX, CHROMIUM, SHOTS, ADMIN_PHONE, TMP } = process.env;
let passed = 0, failed = 0;
function check(desc, ok, detail = '') {
  if (ok) passed++;
  else { failed++; console.log(`FAIL [browser-admin]: ${desc} ${detail}`); }
}
const api = (method, path, body, token) => fetch(BASE + path, {
  method,
  headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  body: body === undefined ? undefined : JSON.stringify(body),
});
const otpOf = (phone) => readFileSync(OUTBOX, 'utf8').trim().split('\n')
  .filter((l) => l.startsWith(phone + ' ')).at(-1).split(' ')[1];
async function apiLogin(phone) {
  await api('POST', '/api/v1/auth/otp', { phone });
  return (await (await api('POST', '/api/v1/auth/login', { phone, code: otpOf(phone) })).json()).token;
}
// The check digit of an 18-digit resident ID (GB 11643).
function idcheck(s17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(s17[i]) * w[i];
  return s17 + '10X98765432'[s % 11];
}
const colourOf = async (token) => (await (await api('GET', '/api/v1/code', undefined, token)).json());

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
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
  // --- a citizen declares; another shares a venue with them ---------------
  const idX = idcheck('33010619850505001');
  const x = await apiLogin('13500000001');
  const y = await apiLogin('13500000002');
  const clean = { temperature: 36.5, symptoms: [], travel: [], contact: false };
  let r = await api('POST', '/api/v1/declarations', { ...clean, name: '张三丰', id_type: 'resident_id', id_number: idX }, x);
  check('X declares', r.status === 201, String(r.status));
  r = await api('POST', '/api/v1/declarations', { ...clean, name: '李四海', id_type: 'resident_id', id_number: idcheck('33010619860606002') }, y);
  check('Y declares', r.status === 201, String(r.status));
  check('X is green before the import', (await colourOf(x)).color === 'green');
  const owner = await apiLogin('13500000003');
  r = await api('POST', '/api/v1/venues', { name: '湖滨咖啡', address: '湖滨路 2 号', region: '330106' }, owner);
  const venueToken = (await r.json()).url.split('/c/')[1];
  for (const t of [x, y]) {
    r = await api('POST', '/api/v1/checkins', { venue_token: venueToken }, t);
    check('a check-in at the café', r.status === 201, String(r.status));
  }

  // --- the officer imports a case list from a file ------------------------
  const admin = await apiLogin(ADMIN_PHONE);
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  await ctx.addCookies([{ name: 'hc_session', value: admin, url: BASE, httpOnly: true, sameSite: 'Lax' }]);
  const p = watch(await ctx.newPage());
  await p.goto(`${BASE}/admin/cases`);
  check('the cases page', (await p.locator('#cases-file').count()) === 1);
  check('the console navigation', (await p.locator('.admin-nav a').count()) >= 8);
  const bad = `${TMP}/cases-bad.csv`;
  writeFileSync(bad, 'id_type,id_number,name,category,listed_on\n' +
    `resident_id,${idX},张三丰,confirmed,2026-11-29\nresident_id,330106198505050011,王五,confirmed,2026-11-29\n`);
  await p.setInputFiles('#cases-file', bad);
  await p.click('#cases-import');
  await p.waitForSelector('#cases-error');
  const badLines = await p.locator('#cases-errors li').evaluateAll((ls) => ls.map((l) => l.dataset.line + ':' + l.dataset.reason));
  check('a bad row is named by its line', badLines.length === 1 && badLines[0].startsWith('3:'), JSON.stringify(badLines));
  await p.screenshot({ path: `${SHOTS}/admin-cases-refused.png`, fullPage: true });
  const good = `${TMP}/cases.csv`;
  writeFileSync(good, 'id_type,id_number,name,category,listed_on\n' +
    `resident_id,${idX},张三丰,confirmed,2026-11-29\nresident_id,${idcheck('11010519700101003')},赵六,suspected,2026-11-28\n`);
  await p.setInputFiles('#cases-file', good);
  await p.click('#cases-import');
  await p.waitForSelector('#cases-imported');
  const counts = await p.locator('#cases-counts li').evaluateAll((ls) => Object.fromEntries(ls.map((l) => [l.dataset.category, l.dataset.count])));
  check('the counts by category', counts.confirmed === '1' && counts.suspected === '1', JSON.stringify(counts));
  await p.screenshot({ path: `${SHOTS}/admin-cases-imported.png`, fullPage: true });
  await p.goto(`${BASE}/admin/cases`);
  const rows = await p.locator('#cases-list tr.case-row').count();
  check('the list shows both entries', rows === 2, String(rows));
  check('names masked in the list', !(await p.textContent('#cases-list')).includes('张三丰'));
  const xc = await colourOf(x);
  check('X is red at once', xc.color === 'red' && xc.reasons.includes('case_confirmed'), JSON.stringify(xc));

  // --- the overview: figures and charts drawn on the server --------------
  await p.goto(`${BASE}/admin`);
  for (const id of ['#chart-colour', '#chart-trend', '#chart-regions'])
    check(`chart ${id} is an inline SVG`, (await p.locator(`svg${id}, ${id} svg`).count()) >= 1);
  check('the figures in a table too', (await p.locator('#table-colour').count()) === 1);
  check('no one named on the overview', !(await p.textContent('main')).match(/张三丰|李四海|1350000000/));
  await p.screenshot({ path: `${SHOTS}/admin-overview.png`, fullPage: true });

  // --- a trace: the case -> its venue -> the people there -> marked -------
  await p.goto(`${BASE}/admin/trace`);
  const caseLink = p.locator('#case-list a.case-link').filter({ hasText: '张*丰' }).first();
  await caseLink.click();
  await p.waitForSelector('#trace-result');
  check('the case visited the café', (await p.textContent('#visit-1')).includes('湖滨咖啡'));
  const boxes = p.locator('#mark-form-1 input.person-check');
  check('one co-visitor at the café', (await boxes.count()) === 1, String(await boxes.count()));
  check('shown by masked name', (await p.textContent('#mark-form-1')).includes('李*海'));
  await boxes.first().check();
  await p.selectOption('#mark-category-1', 'close_contact');
  await p.screenshot({ path: `${SHOTS}/admin-trace.png`, fullPage: true });
  await p.click('#mark-go-1');
  check('marked: one', (await p.textContent('#mark-count')) === '1');
  const yc = await colourOf(y);
  check('the co-visitor is red at once', yc.color === 'red' && yc.reasons.includes('case_close_contact'), JSON.stringify(yc));

  // --- the citizen appeals; the officer overrides -------------------------
  const cp = watch(await (await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true })).newPage());
  await cp.context().addCookies([{ name: 'hc_session', value: x, url: BASE, httpOnly: true, sameSite: 'Lax' }]);
  await cp.goto(`${BASE}/code`);
  await cp.click('#go-appeal');
  await cp.fill('#appeal-reason', '我已于上周核酸检测阴性，请核实。');
  await cp.click('#appeal-submit');
  check('the appeal is listed as open', (await cp.locator('#my-appeals li.my-appeal[data-status="open"]').count()) === 1);
  await p.goto(`${BASE}/admin/appeals`);
  const art = p.locator('#admin-appeals article').first();
  const aid = await art.getAttribute('data-id');
  check('the officer sees the appeal', aid !== null && (await art.textContent()).includes('核酸检测阴性'));
  await p.check(`#appeal-override-${aid}`);
  await p.selectOption(`#appeal-color-${aid}`, 'green');
  await p.fill(`#appeal-until-${aid}`, '2026-12-02');
  await p.fill(`#appeal-note-${aid}`, '复核阴性，赋绿码至12月2日');
  await p.screenshot({ path: `${SHOTS}/admin-appeal-decide.png`, fullPage: true });
  await p.click(`#appeal-submit-${aid}`);
  check('decided: no longer open', (await p.locator(`#appeal-form-${aid}`).count()) === 0);
  const xo = await colourOf(x);
  check('X green by the override', xo.color === 'green' && xo.reasons.includes('appeal_override'), JSON.stringify(xo));
  await cp.goto(`${BASE}/appeal`);
  check('the citizen sees the decision', (await cp.locator('#my-appeals li.my-appeal[data-status="overridden"] .appeal-note').textContent()).includes('复核阴性'));

  // --- a risk area -------------------------------------------------------
  await p.goto(`${BASE}/admin/risk-areas`);
  await p.selectOption('#risk-region', '330100');
  await p.selectOption('#risk-level', 'high');
  await p.click('#risk-set');
  check('the designation saved', (await p.locator('#risk-saved').count()) === 1);
  check('listed as high', (await p.locator('#risk-list tr.risk-row[data-region="330100"][data-level="high"]').count()) === 1);
  await p.screenshot({ path: `${SHOTS}/admin-risk.png`, fullPage: true });

  // --- the audit chain ---------------------------------------------------
  await p.goto(`${BASE}/admin/audit`);
  check('the chain verifies', (await p.getAttribute('#audit-status', 'data-ok')) === '1');
  const actions = await p.locator('#audit-log code:not(.details)').allTextContents();
  for (const a of ['cases.import', 'exposures.trace', 'exposures.mark', 'appeals.decide', 'risk.set'])
    check(`audited: ${a}`, actions.includes(a), JSON.stringify(actions));
  await p.screenshot({ path: `${SHOTS}/admin-audit.png`, fullPage: true });

  check('no console errors or CSP violations', problems.length === 0, problems.join(' | '));
} catch (e) {
  failed++;
  console.log(`FAIL [browser-admin]: ${e.stack || e}`);
} finally {
  await browser.close();
}
console.log(`browser-admin: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
