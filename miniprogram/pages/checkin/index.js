// Check in at a venue (场所码): wx.scanCode on the venue's poster (or the
// mini-program opened from it: WeChat passes the scanned URL as query.q),
// POST /api/v1/checkins, then the colour big with the venue and the time,
// for the venue's staff to see.
const api = require('../../lib/api.js')
const format = require('../../lib/format.js')
const scan = require('../../lib/scan.js')

Component({
  data: {
    busy: false,
    visit: null,
    error: '',
  },

  methods: {
    onLoad(query) {
      const q = query && query.q
      if (q) return this.checkin(scan.tokenOf(decodeURIComponent(q), 'c'))
      return undefined
    },

    onScan() {
      this.setData({visit: null, error: ''})
      return scan.scan().then(text => this.checkin(scan.tokenOf(text, 'c')), e => {
        if (!e.cancelled) this.setData({error: '无法打开扫码，请检查相机权限。'})
      })
    },

    checkin(token) {
      this.setData({busy: true, visit: null, error: ''})
      return api.request('POST', '/api/v1/checkins', {venue_token: token}).then(res => {
        this.setData({busy: false})
        if (res.status !== 201) return this.setData({error: api.errorText(res)})
        const r = res.data
        this.setData({
          visit: {
            color: r.color || '',
            colourName: format.colourName(r.color),
            name: r.venue.name,
            address: r.venue.address,
            region_name: r.venue.region_name || '',
            at: format.when(r.checked_in_at),
          },
        })
      }, res => this.setData({busy: false, error: api.errorText(res)}))
    },

    toDeclare() {
      wx.navigateTo({url: '/pages/declare/index'})
    },
  },
})
