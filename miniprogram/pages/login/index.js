// Sign-in: WeChat first (wx.login, then WeChat's phone-number button when
// the service has not met this WeChat user), the SMS one-time code as the
// fallback (no phone permission given, or WeChat sign-in not offered).
const api = require('../../lib/api.js')

// A fresh wx.login code (each is good for one exchange at WeChat).
function wxCode() {
  return new Promise((resolve, reject) => {
    wx.login({
      success: res => (res.code ? resolve(res.code) : reject(res)),
      fail: reject,
    })
  })
}

Component({
  data: {
    step: 'wechat', // wechat | phone | otp
    busy: false,
    error: '',
    info: '',
    phone: '',
    code: '',
    wait: 0,
  },

  lifetimes: {
    detached() {
      if (this.timer) clearInterval(this.timer)
    },
  },

  methods: {
    onLoad() {
      if (!api.token()) return this.onWechat()
      // A kept session that still works goes straight to the code.
      return api.request('GET', '/api/v1/me', undefined, {keepOn401: true}).then(res => {
        if (res.status === 200) return this.done()
        api.signOut()
        return this.onWechat()
      }, () => this.onWechat())
    },

    done() {
      wx.reLaunch({url: '/pages/code/index'})
    },

    // POST /api/v1/auth/wechat with a fresh code (and the phone code).
    wechat(phoneCode) {
      this.setData({busy: true, error: '', info: ''})
      return wxCode().then(code => {
        const body = {code}
        if (phoneCode) body.phone_code = phoneCode
        return api.request('POST', '/api/v1/auth/wechat', body)
      }, () => ({network: true, wxlogin: true})).then(res => {
        this.setData({busy: false})
        if (res.wxlogin) return this.setData({error: '微信登录失败，请稍后重试或使用短信验证码登录。'})
        if (res.status === 200) {
          api.signIn(res.data)
          return this.done()
        }
        const code = api.errorCode(res)
        if (code === 'phone_required') return this.setData({step: 'phone'})
        if (code === 'not_found') return this.setData({step: 'otp'}) // not offered here
        this.setData({error: api.errorText(res)})
      }, res => this.setData({busy: false, error: api.errorText(res)}))
    },

    onWechat() {
      return this.wechat('')
    },

    // WeChat's phone-number button: detail.code, or a refusal.
    onPhone(e) {
      const d = (e && e.detail) || {}
      if (!d.code) {
        return this.setData({step: 'otp', error: '', info: '未授权手机号，可使用短信验证码登录。'})
      }
      return this.wechat(d.code)
    },

    onUseOtp() {
      this.setData({step: 'otp', error: '', info: ''})
    },

    onInput(e) {
      this.setData({[e.currentTarget.dataset.field]: e.detail.value})
    },

    onSend() {
      this.setData({busy: true, error: '', info: ''})
      return api.request('POST', '/api/v1/auth/otp', {phone: this.data.phone}).then(res => {
        this.setData({busy: false})
        if (res.status !== 202) return this.setData({error: api.errorText(res)})
        this.setData({info: '验证码已发送，5 分钟内有效。'})
        this.countdown(res.data.resend_after || 60)
      }, res => this.setData({busy: false, error: api.errorText(res)}))
    },

    countdown(s) {
      if (this.timer) clearInterval(this.timer)
      this.setData({wait: s})
      this.timer = setInterval(() => {
        const w = this.data.wait - 1
        this.setData({wait: w > 0 ? w : 0})
        if (w <= 0) {
          clearInterval(this.timer)
          this.timer = null
        }
      }, 1000)
    },

    onOtpLogin() {
      this.setData({busy: true, error: '', info: ''})
      const body = {phone: this.data.phone, code: this.data.code}
      return api.request('POST', '/api/v1/auth/login', body).then(res => {
        this.setData({busy: false})
        if (res.status !== 200) return this.setData({error: api.errorText(res)})
        api.signIn(res.data)
        return this.done()
      }, res => this.setData({busy: false, error: api.errorText(res)}))
    },
  },
})
