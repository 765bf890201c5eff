// My itinerary (行程): the account's venue check-ins of the retention
// window, newest first, as GET /api/v1/itinerary gives them.
const api = require('../../lib/api.js')
const format = require('../../lib/format.js')

Component({
  data: {
    state: 'loading', // loading | list | failed
    days: 14,
    visits: [],
    error: '',
  },

  methods: {
    onLoad() {
      return api.request('GET', '/api/v1/itinerary').then(res => {
        if (res.status !== 200) return this.setData({state: 'failed', error: api.errorText(res)})
        this.setData({
          state: 'list',
          days: res.data.days,
          visits: res.data.checkins.map((v, i) => ({
            key: i,
            name: v.venue.name,
            address: v.venue.address,
            region_name: v.venue.region_name || '',
            color: v.color || '',
            colourName: format.colourName(v.color),
            at: format.when(v.checked_in_at),
          })),
        })
      }, res => this.setData({state: 'failed', error: api.errorText(res)}))
    },
  },
})
