// My code (出示健康码): the QR of the code URL (the service draws it; the
// PNG is shown as it comes) in a frame of the code's colour, the masked
// name and ID, a clock that ticks each second so a screenshot shows
// itself, and the next code fetched before this one expires, without the
// user doing anything.
const api = require('../../lib/api.js')
const format = require('../../lib/format.js')
const config = require('../../config.js')

Component({
  data: {
    state: 'loading', // loading | none | code
    message: '',
    error: '',
    color: '',
    colourName: '',
    qr: '',
    name: '',
    idMasked: '',
    reasons: [],
    greenOn: '',
    expiresAt: '',
    now: '',
    checker: false,
  },

  lifetimes: {
    detached() {
      this.stop()
    },
  },

  pageLifetimes: {
    show() {
      if (this.loaded) this.refresh()
    },
    hide() {
      this.stop()
    },
  },

  methods: {
    onLoad() {
      this.loaded = true
      api.request('GET', '/api/v1/me').then(res => {
        if (res.status === 200) {
          this.setData({checker: (res.data.roles || []).indexOf('checker') >= 0})
        }
      }, () => {})
      return this.refresh()
    },

    stop() {
      if (this.tick) clearInterval(this.tick)
      if (this.renew) clearTimeout(this.renew)
      this.tick = this.renew = null
    },

    // GET /api/v1/code (what the code says), then its PNG (what is shown;
    // its headers say the colour and time of that very code).
    refresh() {
      this.stop()
      return api.request('GET', '/api/v1/code').then(res => {
        if (res.status === 409) {
          return this.setData({state: 'none', message: api.errorText(res), error: ''})
        }
        if (res.status !== 200) return this.failed(res)
        const d = res.data
        this.setData({
          name: d.name_masked,
          idMasked: d.id_masked,
          reasons: d.reason_texts || [],
          greenOn: d.green_on || '',
        })
        return api.request('GET', '/api/v1/code.png', undefined, {binary: true}).then(png => {
          if (png.status !== 200) return this.failed(png)
          const color = api.headerOf(png, 'X-Code-Color') || d.color
          const left = Number(api.headerOf(png, 'X-Code-Expires-In'))
          this.setData({
            state: 'code',
            error: '',
            color,
            colourName: format.colourName(color),
            qr: 'data:image/png;base64,' + wx.arrayBufferToBase64(png.data),
            expiresAt: format.when(api.headerOf(png, 'X-Code-Expires-At') || d.expires_at),
          })
          this.start(isFinite(left) ? left : d.expires_in)
        })
      }).catch(res => this.failed(res))
    },

    // The clock, and the renewal renewBefore seconds before the end.
    start(left) {
      this.stop()
      this.setData({now: format.clock(new Date())})
      this.tick = setInterval(() => this.setData({now: format.clock(new Date())}), 1000)
      const wait = Math.max(left - config.renewBefore, 5)
      this.renew = setTimeout(() => this.refresh(), wait * 1000)
    },

    // An error in place; a code already shown stays, and is tried again.
    failed(res) {
      this.setData({error: api.errorText(res)})
      if (this.data.state === 'code') this.renew = setTimeout(() => this.refresh(), 10000)
    },

    toDeclare() {
      wx.navigateTo({url: '/pages/declare/index'})
    },
    toCheckin() {
      wx.navigateTo({url: '/pages/checkin/index'})
    },
    toItinerary() {
      wx.navigateTo({url: '/pages/itinerary/index'})
    },
    toScan() {
      wx.navigateTo({url: '/pages/scan/index'})
    },

    onLogout() {
      this.stop()
      return api.request('POST', '/api/v1/auth/logout').then(() => {}, () => {}).then(() => {
        api.signOut()
        wx.reLaunch({url: '/pages/login/index'})
      })
    },
  },
})
