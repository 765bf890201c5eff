// The service's JSON API as the pages use it: the base URL from config.js,
// the session token (kept in storage, sent as a Bearer token), the
// language, and the API's one error shape turned into a sentence to show.
const config = require('../config.js')

const TOKEN = 'hc_token'
const NETWORK = '网络连接失败，请检查网络后重试。'
const UNAVAILABLE = '服务暂时不可用，请稍后再试。'

// 'en' when WeChat runs in English, else 'zh' (the API's two languages).
function lang() {
  try {
    const l = (wx.getAppBaseInfo().language || '').toLowerCase()
    return l.indexOf('en') === 0 ? 'en' : 'zh'
  } catch (e) {
    return 'zh'
  }
}

// The stored token, or ''.  Its end is the server's to judge (a 401), not
// the phone's clock's.
function token() {
  return wx.getStorageSync(TOKEN) || ''
}

// Keeps the token of a session from auth/login or auth/wechat.
function signIn(session) {
  wx.setStorageSync(TOKEN, session.token)
}

function signOut() {
  wx.removeStorageSync(TOKEN)
}

/*
 * request(method, path, data?, opts?): a Promise of {status, data, header}
 * for any answer the server gives (4xx and 5xx included); rejected with
 * {network: true} only when no answer came.  A 401 on a signed-in call
 * drops the token and returns to the sign-in page (opts.keepOn401 not).
 * opts.binary asks for an ArrayBuffer (the code's PNG).
 */
function request(method, path, data, opts) {
  opts = opts || {}
  return new Promise((resolve, reject) => {
    const header = {'Accept-Language': lang()}
    const t = token()
    if (t) header.Authorization = 'Bearer ' + t
    // Every POST, PUT or DELETE names its type, with a body or without.
    if (method !== 'GET') header['Content-Type'] = 'application/json'
    wx.request({
      url: config.base + path,
      method,
      data,
      header,
      timeout: 10000,
      dataType: opts.binary ? 'binary' : 'json',
      responseType: opts.binary ? 'arraybuffer' : 'text',
      success(res) {
        if (res.statusCode === 401 && t && !opts.keepOn401) {
          signOut()
          wx.reLaunch({url: '/pages/login/index'})
        }
        resolve({status: res.statusCode, data: res.data, header: res.header || {}})
      },
      fail() {
        reject({network: true})
      },
    })
  })
}

// The sentence to show for a failed call: the API's message, or ours.
function errorText(res) {
  if (!res || res.network) return NETWORK
  const e = res.data && res.data.error
  return e && typeof e.message === 'string' && e.message ? e.message : UNAVAILABLE
}

// The API's error code of an answer ('' when it is not an error).
function errorCode(res) {
  const e = res && res.data && res.data.error
  return e && typeof e.code === 'string' ? e.code : ''
}

// A header of an answer, whatever case the platform gives its names in.
function headerOf(res, name) {
  const h = res.header || {}
  const want = name.toLowerCase()
  for (const k of Object.keys(h)) if (k.toLowerCase() === want) return h[k]
  return undefined
}

module.exports = {request, errorText, errorCode, headerOf, token, signIn, signOut, lang}
