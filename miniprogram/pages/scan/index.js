// Scan (验码), for checkpoint staff: wx.scanCode on a person's code, POST
// /api/v1/verify, the result big (colour, masked name and ID, issuer) or
// why the code is not valid.  The checkpoint's label is kept on the phone.
const api = require('../../lib/api.js')
const format = require('../../lib/format.js')
const scan = require('../../lib/scan.js')

Component({
  data: {
    place: '',
    busy: false,
    result: null,
    error: '',
  },

  methods: {
    onLoad() {
      this.setData({place: wx.getStorageSync('hc_place') || ''})
    },

    onPlace(e) {
      this.setData({place: e.detail.value})
      wx.setStorageSync('hc_place', e.detail.value)
    },

    onScan() {
      // The last result goes first, so it is never taken for this one.
      this.setData({result: null, error: ''})
      return scan.scan().then(text => this.verify(scan.tokenOf(text, 'v')), e => {
        if (!e.cancelled) this.setData({error: '无法打开扫码，请检查相机权限。'})
      })
    },

    verify(token) {
      const body = {token}
      if (this.data.place.trim()) body.place = this.data.place.trim()
      this.setData({busy: true})
      return api.request('POST', '/api/v1/verify', body).then(res => {
        this.setData({busy: false})
        if (res.status !== 200) return this.setData({error: api.errorText(res)})
        const r = res.data
        this.setData({
          result: {
            valid: r.valid,
            color: r.color || '',
            colourName: format.colourName(r.color),
            name_masked: r.name_masked || '',
            id_masked: r.id_masked || '',
            issuer: r.issuer || '',
            foreign: !r.name_masked && r.valid,
            reason_text: r.reason_text || '',
            at: format.when(r.checked_at),
          },
        })
      }, res => this.setData({busy: false, error: api.errorText(res)}))
    },
  },
})
