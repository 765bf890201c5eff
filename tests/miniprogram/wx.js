// What WeChat gives a mini-program, for the tests: a jsdom window for
// miniprogram-simulate to render pages into, and the wx.* calls the pages
// make.  wx.request is real HTTP to the service under test; wx.login,
// wx.scanCode and WeChat's phone button hand out what the test chose
// (codes the WeChat stand-in knows, real code URLs from the API); storage
// is the phone's, in memory; navigation is recorded.
const http = require('http')
const path = require('path')
const {JSDOM} = require('jsdom')

const dom = new JSDOM('<!doctype html><html><head></head><body></body></html>', {pretendToBeVisual: true})
global.window = dom.window
global.document = dom.window.document
for (const k of Object.getOwnPropertyNames(dom.window)) {
  if (!(k in global)) {
    try {
      global[k] = dom.window[k]
    } catch (e) { /* read-only */ }
  }
}
// Node has its own Event and CustomEvent; the pages' events are jsdom's.
for (const k of ['Event', 'CustomEvent', 'EventTarget', 'Node', 'Element', 'HTMLElement']) global[k] = dom.window[k]

const simulate = require('miniprogram-simulate')

const ROOT = path.resolve(__dirname, '../../miniprogram')
const state = {
  storage: new Map(),
  logins: [],          // codes wx.login hands out, in order
  scans: [],           // texts wx.scanCode hands out, in order
  navigations: [],     // {how, url}
  toasts: [],
  requests: [],        // {method, url, status}
  pending: 0,
  language: 'zh_CN',
}

function later(fn) {
  setTimeout(fn, 0)
}

// wx.request: over HTTP, with the options and answer shapes WeChat
// documents (statusCode, data parsed as JSON when dataType is json,
// header, an ArrayBuffer for responseType arraybuffer).
function request(o) {
  const method = (o.method || 'GET').toUpperCase()
  const url = new URL(o.url)
  const headers = Object.assign({}, o.header || {})
  let body = null
  if (o.data !== undefined && o.data !== null) {
    if (method === 'GET') {
      for (const [k, v] of Object.entries(o.data)) url.searchParams.set(k, String(v))
    } else if (typeof o.data === 'string') {
      body = Buffer.from(o.data)
    } else {
      body = Buffer.from(JSON.stringify(o.data))
    }
  }
  if (body) headers['Content-Length'] = body.length
  else if (method !== 'GET') headers['Content-Length'] = 0
  state.pending++
  const done = (fn, arg) => {
    state.pending--
    later(() => {
      if (fn) fn(arg)
      if (o.complete) o.complete(arg)
    })
  }
  const req = http.request(url, {method, headers, timeout: o.timeout || 60000}, res => {
    const chunks = []
    res.on('data', c => chunks.push(c))
    res.on('end', () => {
      const buf = Buffer.concat(chunks)
      let data
      if (o.responseType === 'arraybuffer') {
        data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)
      } else {
        data = buf.toString('utf8')
        if ((o.dataType || 'json') === 'json') {
          try {
            data = JSON.parse(data)
          } catch (e) { /* WeChat leaves it a string */ }
        }
      }
      state.requests.push({method, url: url.pathname, status: res.statusCode})
      done(o.success, {statusCode: res.statusCode, data, header: res.headers, errMsg: 'request:ok'})
    })
  })
  req.on('timeout', () => req.destroy(new Error('timeout')))
  req.on('error', e => {
    state.requests.push({method, url: url.pathname, status: 0})
    done(o.fail, {errMsg: 'request:fail ' + e.message})
  })
  if (body) req.write(body)
  req.end()
  return {abort() { req.destroy() }}
}

function asyncAnswer(o, ok, res) {
  later(() => {
    if (ok && o.success) o.success(res)
    if (!ok && o.fail) o.fail(res)
    if (o.complete) o.complete(res)
  })
}

Object.assign(global.wx, {
  request,
  login(o) {
    const code = state.logins.shift()
    if (code === undefined) return asyncAnswer(o, false, {errMsg: 'login:fail no code left in the test'})
    return asyncAnswer(o, true, {code, errMsg: 'login:ok'})
  },
  scanCode(o) {
    const text = state.scans.shift()
    if (text === undefined) return asyncAnswer(o, false, {errMsg: 'scanCode:fail cancel'})
    return asyncAnswer(o, true, {result: text, scanType: 'QR_CODE', charSet: 'UTF-8', errMsg: 'scanCode:ok'})
  },
  getStorageSync: k => (state.storage.has(k) ? state.storage.get(k) : ''),
  setStorageSync: (k, v) => state.storage.set(k, v),
  removeStorageSync: k => state.storage.delete(k),
  clearStorageSync: () => state.storage.clear(),
  arrayBufferToBase64: ab => Buffer.from(ab).toString('base64'),
  getAppBaseInfo: () => ({SDKVersion: '3.3.4', language: state.language, theme: 'light'}),
  reLaunch: o => { state.navigations.push({how: 'reLaunch', url: o.url}); asyncAnswer(o, true, {errMsg: 'reLaunch:ok'}) },
  navigateTo: o => { state.navigations.push({how: 'navigateTo', url: o.url}); asyncAnswer(o, true, {errMsg: 'navigateTo:ok'}) },
  redirectTo: o => { state.navigations.push({how: 'redirectTo', url: o.url}); asyncAnswer(o, true, {errMsg: 'redirectTo:ok'}) },
  showToast: o => { state.toasts.push(o.title); asyncAnswer(o, true, {errMsg: 'showToast:ok'}) },
})

const sleep = ms => new Promise(r => setTimeout(r, ms))

// Waits until no request is under way and the pages have had their turn.
async function settle() {
  for (let i = 0; i < 500; i++) {
    await sleep(10)
    if (state.pending === 0) {
      await sleep(20)
      if (state.pending === 0) return
    }
  }
  throw new Error('requests still under way after 5 s')
}

// Loads and attaches a page (pages/NAME/index, a Component), calls its
// onLoad(query) as WeChat does, and waits for what that started.
async function open(name, query) {
  const id = simulate.load(path.join(ROOT, 'pages', name, 'index'), {rootPath: ROOT})
  const page = simulate.render(id)
  page.attach(document.createElement('parent-wrapper'))
  if (typeof page.instance.onLoad === 'function') page.instance.onLoad(query || {})
  page.triggerPageLifeTime('show')
  await settle()
  return page
}

// The text of the first element matching sel in a page, or null.
function text(page, sel) {
  const el = page.querySelector(sel)
  return el ? el.dom.textContent.replace(/\s+/g, ' ').trim() : null
}

// Sends an event (tap, input, change, getphonenumber) to the element sel.
async function fire(page, sel, name, detail) {
  const el = page.querySelector(sel)
  if (!el) throw new Error('no element ' + sel)
  el.dispatchEvent(name, detail === undefined ? {} : {detail})
  await settle()
}

module.exports = {state, open, text, fire, settle, sleep, ROOT, simulate}
