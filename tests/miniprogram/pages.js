// The mini-program's pages, loaded by miniprogram-simulate and driven
// against the real service (lighttpd, workers, SQLite) and the WeChat
// stand-in: sign-in by WeChat with and without the phone button, the OTP
// fallback, WeChat's errors in place, the declaration with its checks, the
// code (its QR decoded by zbarimg and verified; the clock; the renewal),
// scan for a checker, venue check-in, the itinerary, a dead session and no
// network.  What the pages show is checked, and what the database holds.
const fs = require('fs')
const path = require('path')
const {execFileSync} = require('child_process')
const wxenv = require('./wx.js')
const {state, open, text, fire, settle, sleep} = wxenv

const {BASE, OUTBOX, DB, CTL, TMP} = process.env
const config = require(path.join(wxenv.ROOT, 'config.js'))
config.base = BASE
config.renewBefore = 30 // with HC_CODE_TTL=35: the next code after 5 s

const cat = JSON.parse(fs.readFileSync(path.join(__dirname, '../../templates/zh.json'), 'utf8'))
const msg = code => cat.err[code]

let passed = 0
let failed = 0
function check(desc, ok, detail) {
  if (ok) passed++
  else {
    failed++
    console.log(`FAIL [miniprogram]: ${desc}${detail === undefined ? '' : ' (' + JSON.stringify(detail) + ')'}`)
  }
}
function eq(desc, got, want) {
  check(desc, got === want, {got, want})
}

const sql = q => execFileSync('sqlite3', ['-cmd', '.timeout 5000', DB, q], {encoding: 'utf8'}).trim()
const ctl = (...args) => execFileSync(CTL, args, {encoding: 'utf8'})

function otpOf(phone) {
  const lines = fs.readFileSync(OUTBOX, 'utf8').trim().split('\n').filter(l => l.startsWith(phone + ' '))
  return lines.length ? lines[lines.length - 1].split(' ')[1] : ''
}

// A fresh phone: nothing in storage, no navigation seen.
function newPhone() {
  state.storage.clear()
  state.navigations.length = 0
  state.logins.length = 0
  state.scans.length = 0
}

// Whether an element matching sel is on the page.
const has = (page, sel) => !!page.querySelector(sel)
const lastNav = () => state.navigations[state.navigations.length - 1] || {}

// The QR of the code page's image, decoded by zbarimg.
let shots = 0
function decodeQr(page) {
  const src = page.instance.data.qr || ''
  const m = /^data:image\/png;base64,(.+)$/.exec(src)
  if (!m) return ''
  const f = path.join(TMP, `mp-qr-${++shots}.png`)
  fs.writeFileSync(f, Buffer.from(m[1], 'base64'))
  try {
    return execFileSync('zbarimg', ['-q', '--raw', f], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
  } catch (e) {
    return ''
  }
}

async function api(method, p, body, token) {
  const headers = {}
  if (token) headers.Authorization = 'Bearer ' + token
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const r = await fetch(BASE + p, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)})
  let data = null
  try {
    data = await r.json()
  } catch (e) { /* none */ }
  return {status: r.status, data}
}

async function main() {
  // --- sign-in: a new WeChat user, with WeChat's phone button ------------
  newPhone()
  const accounts0 = sql('SELECT count(*) FROM accounts')
  state.logins.push('ok-oMPWIFE_01', 'ok-oMPWIFE_01')
  let p = await open('login')
  check('unknown WeChat user: the phone button shows', has(p, '#phone'), text(p, '#error'))
  eq('no session yet', wxenv.state.storage.has('hc_token'), false)
  eq('nothing created before the phone', sql('SELECT count(*) FROM accounts'), accounts0)
  await fire(p, '#phone', 'getphonenumber', {code: 'phone-13700000001', errMsg: 'getPhoneNumber:ok'})
  eq('signed in: to the code page', lastNav().url, '/pages/code/index')
  check('the token kept', !!state.storage.get('hc_token'))
  eq('the account of that phone', sql("SELECT count(*) FROM accounts WHERE phone = '13700000001'"), '1')
  const acct1 = sql("SELECT id FROM accounts WHERE phone = '13700000001'")
  eq('bound to the WeChat user', sql(`SELECT count(*) FROM wechat_bindings WHERE account_id = ${acct1}`), '1')
  const tok1 = state.storage.get('hc_token')
  eq('the token works', (await api('GET', '/api/v1/me', undefined, tok1)).status, 200)
  p.detach()

  // --- the same WeChat user on a new phone: straight in -----------------
  newPhone()
  state.logins.push('ok-oMPWIFE_01')
  p = await open('login')
  eq('known WeChat user: signed in at once', lastNav().url, '/pages/code/index')
  check('no phone button asked', has(p, '#phone') === false)
  eq('still one account', sql("SELECT count(*) FROM accounts WHERE phone = '13700000001'"), '1')
  eq('still one binding', sql(`SELECT count(*) FROM wechat_bindings WHERE account_id = ${acct1}`), '1')
  const sessions = sql(`SELECT count(*) FROM sessions WHERE account_id = ${acct1}`)
  p.detach()

  // --- a kept session that works: no WeChat call at all -----------------
  state.navigations.length = 0
  const before = state.requests.filter(r => r.url === '/api/v1/auth/wechat').length
  p = await open('login')
  eq('kept session: to the code page', lastNav().url, '/pages/code/index')
  eq('kept session: no WeChat sign-in', state.requests.filter(r => r.url === '/api/v1/auth/wechat').length, before)
  eq('kept session: no new session', sql(`SELECT count(*) FROM sessions WHERE account_id = ${acct1}`), sessions)
  p.detach()

  // --- the phone refused: the OTP form, with its errors in place --------
  newPhone()
  state.logins.push('ok-oMPNOPHONE')
  p = await open('login')
  await fire(p, '#phone', 'getphonenumber', {errMsg: 'getPhoneNumber:fail user deny'})
  check('phone refused: the OTP form', has(p, '#otp-step'))
  check('phone refused: said so', (text(p, '#info') || '').includes('短信验证码'), text(p, '#info'))
  eq('phone refused: no session', state.storage.has('hc_token'), false)
  await fire(p, '#otp-phone', 'input', {value: '1370000000'})
  await fire(p, '#send', 'tap')
  eq('a short phone number: the service says so in place', text(p, '#error'), msg('invalid_phone'))
  await fire(p, '#otp-phone', 'input', {value: '13700000002'})
  await fire(p, '#send', 'tap')
  check('code sent', (text(p, '#info') || '').includes('已发送'), text(p, '#info'))
  check('resend counts down', /秒后可重发/.test(text(p, '#send') || ''), text(p, '#send'))
  await fire(p, '#otp-code', 'input', {value: otpOf('13700000002') === '000000' ? '111111' : '000000'})
  await fire(p, '#otp-login', 'tap')
  eq('a wrong code: in place', text(p, '#error'), msg('wrong_code'))
  eq('a wrong code: no session', state.storage.has('hc_token'), false)
  await fire(p, '#otp-code', 'input', {value: otpOf('13700000002')})
  await fire(p, '#otp-login', 'tap')
  eq('OTP sign-in: to the code page', lastNav().url, '/pages/code/index')
  const acct2 = sql("SELECT id FROM accounts WHERE phone = '13700000002'")
  check('OTP sign-in: the account', acct2 !== '')
  eq('OTP sign-in: not bound to WeChat', sql(`SELECT count(*) FROM wechat_bindings WHERE account_id = ${acct2 || 0}`), '0')
  const tok2 = state.storage.get('hc_token')
  p.detach()

  // --- WeChat's errors, in place, nothing stored ------------------------
  for (const [code, err] of [['bad', 'wechat_code_invalid'], ['busy', 'wechat_unavailable'], ['garbage', 'wechat_unavailable']]) {
    newPhone()
    const snap = sql('SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM wechat_bindings), (SELECT count(*) FROM sessions)')
    state.logins.push(code)
    p = await open('login')
    eq(`WeChat "${code}": the message in place`, text(p, '#error'), msg(err))
    eq(`WeChat "${code}": no session`, state.storage.has('hc_token'), false)
    eq(`WeChat "${code}": nothing stored`, sql('SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM wechat_bindings), (SELECT count(*) FROM sessions)'), snap)
    check(`WeChat "${code}": the button to try again`, has(p, '#wechat'))
    p.detach()
  }
  // wx.login itself failing (no code): our own message.
  newPhone()
  p = await open('login')
  check('wx.login failed: said so', (text(p, '#error') || '').includes('微信登录失败'), text(p, '#error'))
  p.detach()

  // --- the code page without today's declaration ------------------------
  newPhone()
  state.storage.set('hc_token', tok1)
  p = await open('code')
  eq('no declaration: the message', text(p, '#no-declaration .message'), msg('no_declaration_today'))
  check('no declaration: no QR', has(p, '#qr') === false)
  await fire(p, '#declare-now', 'tap')
  eq('no declaration: to the form', lastNav().url, '/pages/declare/index')
  p.detach()

  // --- the declaration form ---------------------------------------------
  const persons0 = sql('SELECT count(*) FROM persons')
  const decl0 = sql('SELECT count(*) FROM declarations')
  p = await open('declare')
  check('the identity fields until bound', has(p, '#identity'))
  check('the symptoms with the web form\'s labels', (text(p, '#symptoms') || '').includes(cat.sym_fever) && (text(p, '#symptoms') || '').includes(cat.sym_cough), text(p, '#symptoms'))
  await fire(p, '#submit', 'tap')
  eq('no name: the web form\'s message', text(p, '#error'), msg('invalid_name'))
  await fire(p, '#name', 'input', {value: '王小华'})
  await fire(p, '#id-number', 'input', {value: '110105194912310021'})
  await fire(p, '#temperature', 'input', {value: '三十六'})
  await fire(p, '#submit', 'tap')
  eq('a temperature that is no number: the web form\'s message', text(p, '#error'), msg('invalid_temperature'))
  await fire(p, '#temperature', 'input', {value: '36.6'})
  await fire(p, '#submit', 'tap')
  eq('a wrong check digit: the service\'s message', text(p, '#error'), msg('invalid_check_digit'))
  await fire(p, '#id-number', 'input', {value: '11010519491231002x'})
  await fire(p, '#temperature', 'input', {value: '45'})
  await fire(p, '#submit', 'tap')
  eq('45 ℃: the service\'s message', text(p, '#error'), msg('invalid_temperature'))
  eq('refused: no person', sql('SELECT count(*) FROM persons'), persons0)
  eq('refused: no declaration', sql('SELECT count(*) FROM declarations'), decl0)
  await fire(p, '#temperature', 'input', {value: '36.6'})
  await fire(p, '#add-place', 'tap')
  await fire(p, '.travel .region', 'change', {value: ['浙江省', '杭州市', '上城区'], code: ['330000', '330100', '330102']})
  await fire(p, '.travel .date', 'change', {value: '2026-11-27'})
  check('the place chosen shows', (text(p, '.travel') || '').includes('上城区'), text(p, '.travel'))
  await fire(p, '#symptoms', 'change', {value: ['cough']})
  await fire(p, '#submit', 'tap')
  eq('declared: back to the code', lastNav().url, '/pages/code/index')
  check('declared: said so', state.toasts.includes('申报成功'))
  const person1 = sql(`SELECT person_id FROM account_persons WHERE account_id = ${acct1} AND relation = 'self'`)
  check('declared: the identity bound', person1 !== '', person1)
  eq('declared: the day\'s answers', sql(`SELECT temp_tenths || ' ' || symptoms FROM declarations WHERE person_id = ${person1 || 0}`).split(' ')[0], '366')
  eq('declared: the place', sql(`SELECT count(*) FROM declaration_travel t JOIN declarations d ON d.id = t.declaration_id WHERE d.person_id = ${person1 || 0} AND t.region = '330102' AND t.date = '2026-11-27'`), '1')
  p.detach()

  // Bound: the form shows the identity masked, not its fields.
  p = await open('declare')
  check('bound: no identity fields', has(p, '#identity') === false)
  const masked = sql(`SELECT id_masked FROM persons WHERE id = ${person1 || 0}`)
  check('bound: the masked identity', (text(p, '#bound-identity') || '').includes(masked), text(p, '#bound-identity'))
  check('bound: no full ID number shown', !(text(p, '#bound') || '').includes('11010519491231002X'))
  p.detach()

  // --- my code: colour, QR, masked name, clock, renewal -----------------
  state.navigations.length = 0
  p = await open('code')
  const colour = (await api('GET', '/api/v1/code', undefined, tok1)).data.color
  eq('the code: the colour name', text(p, '#colour'), {green: '绿码', yellow: '黄码', red: '红码'}[colour])
  check('the code: the frame in its colour', has(p, `.frame-${colour}`))
  const nameMasked = sql(`SELECT name FROM persons WHERE id = ${person1 || 0}`) ? '王*华' : ''
  eq('the code: the masked name', text(p, '#name'), nameMasked)
  eq('the code: the masked ID', text(p, '#id-masked'), masked)
  check('the code: no full name', !(text(p, '#frame') || '').includes('王小华'))
  check('the code: the reasons in words', (text(p, '#frame') || '').includes(cat.reason_symptoms), text(p, '#frame'))
  const url1 = decodeQr(p)
  check('the QR decodes to a code URL of ours', url1.startsWith(BASE + '/v/'), url1)
  const clock1 = text(p, '#clock')
  check('the clock shows the time', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(clock1 || ''), clock1)
  await sleep(1100)
  check('the clock ticks', text(p, '#clock') !== clock1, [clock1, text(p, '#clock')])
  const reqs = state.requests.length
  await sleep(5000)
  await settle()
  check('renewed without a tap', state.requests.slice(reqs).some(r => r.url === '/api/v1/code.png' && r.status === 200))
  const url2 = decodeQr(p)
  check('renewed: a new code in the QR', url2.startsWith(BASE + '/v/') && url2 !== url1, [url1, url2])
  p.detach()
  const shownCode = url2

  // --- scan: as a checker, a valid code, a forged one; not a checker ----
  ctl('grant', '13700000002', 'checker')
  newPhone()
  state.storage.set('hc_token', tok2)
  p = await open('scan')
  await fire(p, '#place', 'input', {value: '文三路社区东门'})
  const checks0 = Number(sql('SELECT count(*) FROM verifications'))
  state.scans.push(shownCode)
  await fire(p, '#scan', 'tap')
  eq('scan: the colour big', text(p, '#result-colour'), {green: '绿码', yellow: '黄码', red: '红码'}[colour])
  eq('scan: the masked name', text(p, '#result-name'), nameMasked)
  eq('scan: the masked ID', text(p, '#result-id'), masked)
  let recorded = false
  for (let i = 0; i < 50 && !recorded; i++) {
    recorded = Number(sql('SELECT count(*) FROM verifications')) > checks0
    if (!recorded) await sleep(50)
  }
  check('scan: the check recorded', recorded)
  eq('scan: with the place', sql(`SELECT place FROM verifications WHERE checker_id = ${acct2} ORDER BY id DESC LIMIT 1`), '文三路社区东门')
  const tokPart = shownCode.slice(shownCode.lastIndexOf('/v/') + 3)
  const forged = BASE + '/v/' + tokPart.slice(0, -4) + (tokPart.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA')
  state.scans.push(forged)
  await fire(p, '#scan', 'tap')
  eq('a forged code: invalid', text(p, '#result-colour'), '无效')
  eq('a forged code: why, in the service\'s words', text(p, '#result-reason'), cat.verify_bad_signature)
  check('a forged code: no name shown', !(text(p, '#result') || '').includes('*'))
  await fire(p, '#scan', 'tap') // the camera closed without a code
  check('cancelled: nothing shown', has(p, '#result') === false && has(p, '#error') === false)
  p.detach()
  state.storage.set('hc_token', tok1)
  p = await open('scan')
  state.scans.push(shownCode)
  await fire(p, '#scan', 'tap')
  eq('not a checker: the service\'s message', text(p, '#error'), msg('forbidden'))
  check('not a checker: no result', has(p, '#result') === false)
  p.detach()

  // --- check in at a venue ----------------------------------------------
  const venue = await api('POST', '/api/v1/venues', {name: '湖滨银泰 in77', address: '东坡路 7 号', region: '330102'}, tok2)
  eq('a venue for the test', venue.status, 201)
  const checkins0 = sql(`SELECT count(*) FROM checkins WHERE account_id = ${acct1}`)
  p = await open('checkin')
  state.scans.push(venue.data.url)
  await fire(p, '#scan', 'tap')
  eq('check-in: the venue', text(p, '#visit-venue'), '湖滨银泰 in77')
  eq('check-in: the colour big', text(p, '#visit-colour'), {green: '绿码', yellow: '黄码', red: '红码'}[colour])
  check('check-in: the time', /^登记时间 \d{4}-\d\d-\d\d \d\d:\d\d$/.test(text(p, '#visit-at') || ''), text(p, '#visit-at'))
  eq('check-in: recorded', sql(`SELECT count(*) FROM checkins WHERE account_id = ${acct1}`), String(Number(checkins0) + 1))
  state.scans.push(BASE + '/c/AAAAAAAAAAAAAAAAAAAAAA')
  await fire(p, '#scan', 'tap')
  eq('an unknown venue: the service\'s message', text(p, '#error'), msg('unknown_venue'))
  check('an unknown venue: no visit shown', has(p, '#visit') === false)
  eq('an unknown venue: nothing recorded', sql(`SELECT count(*) FROM checkins WHERE account_id = ${acct1}`), String(Number(checkins0) + 1))
  p.detach()
  // Opened from the poster by WeChat's own scanner: the URL in query.q.
  p = await open('checkin', {q: encodeURIComponent(venue.data.url)})
  eq('opened from the poster: checked in', text(p, '#visit-venue'), '湖滨银泰 in77')
  eq('opened from the poster: recorded', sql(`SELECT count(*) FROM checkins WHERE account_id = ${acct1}`), String(Number(checkins0) + 2))
  p.detach()
  // Without today's declaration: recorded, and the page says to declare.
  state.storage.set('hc_token', tok2)
  p = await open('checkin', {q: encodeURIComponent(venue.data.url)})
  check('no declaration: said so', (text(p, '#visit-colour') || '').includes('还没有申报'), text(p, '#visit-colour'))
  check('no declaration: the way to declare', has(p, '#declare-now'))
  p.detach()

  // --- the itinerary ----------------------------------------------------
  state.storage.set('hc_token', tok1)
  p = await open('itinerary')
  const rows = p.querySelectorAll('.visit')
  eq('itinerary: one row a check-in', rows.length, Number(sql(`SELECT count(*) FROM checkins WHERE account_id = ${acct1}`)))
  check('itinerary: the venue and colour', (text(p, '#itinerary') || '').includes('湖滨银泰 in77') && (text(p, '#itinerary') || '').includes({green: '绿码', yellow: '黄码', red: '红码'}[colour]), text(p, '#itinerary'))
  p.detach()

  // --- a dead session: back to sign-in, the token dropped ---------------
  newPhone()
  state.storage.set('hc_token', tok2)
  p = await open('code')
  await fire(p, '#logout', 'tap')
  eq('logout: to sign-in', lastNav().url, '/pages/login/index')
  eq('logout: the token dropped', state.storage.has('hc_token'), false)
  eq('logout: the session gone on the server', (await api('GET', '/api/v1/me', undefined, tok2)).status, 401)
  p.detach()
  newPhone()
  state.storage.set('hc_token', tok2)
  p = await open('itinerary')
  eq('a dead token: to sign-in', lastNav().url, '/pages/login/index')
  eq('a dead token: dropped', state.storage.has('hc_token'), false)
  p.detach()

  // --- no network ---------------------------------------------------------
  const saved = config.base
  config.base = 'http://127.0.0.1:9' // discard: nothing listens
  newPhone()
  state.storage.set('hc_token', tok1)
  p = await open('itinerary')
  check('no network: said so in place', (text(p, '#error') || '').includes('网络'), text(p, '#error'))
  p.detach()
  config.base = saved

  // --- English when WeChat is in English ----------------------------------
  state.language = 'en'
  newPhone()
  state.logins.push('bad')
  p = await open('login')
  const en = JSON.parse(fs.readFileSync(path.join(__dirname, '../../templates/en.json'), 'utf8'))
  eq('English WeChat: the service answers in English', text(p, '#error'), en.err.wechat_code_invalid)
  p.detach()
  state.language = 'zh_CN'
}

main().catch(e => {
  failed++
  console.log('FAIL [miniprogram]: ' + (e && e.stack ? e.stack : e))
}).then(() => {
  console.log(`miniprogram: ${passed} passed, ${failed} failed`)
  process.exit(failed ? 1 : 0)
})
