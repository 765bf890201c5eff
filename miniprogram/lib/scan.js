// wx.scanCode as a Promise of the text of a QR code, and the parts of the
// service's two URLs: /v/<code token> and /c/<venue token>.

// Resolves to the scanned text; rejects {cancelled: true} or {failed: true}.
function scan() {
  return new Promise((resolve, reject) => {
    wx.scanCode({
      onlyFromCamera: true,
      scanType: ['qrCode'],
      success: res => resolve(res.result || ''),
      fail: err => reject(/cancel/.test((err && err.errMsg) || '') ? {cancelled: true} : {failed: true}),
    })
  })
}

// The part after /<kind>/ of a URL of ours (query and fragment dropped),
// or the text itself (a bare token, or something else: the service says
// what it is not).
function tokenOf(text, kind) {
  const s = String(text || '').trim()
  const at = s.lastIndexOf('/' + kind + '/')
  if (at < 0) return s
  return s.slice(at + kind.length + 2).split(/[?#]/)[0]
}

module.exports = {scan, tokenOf}
