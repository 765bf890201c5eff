// The daily declaration (健康申报): the web form's fields, with its
// labels, options and messages from the service (GET
// /api/v1/declarations/form), places chosen with WeChat's region picker.
// The service checks everything again; its error is shown in place.
const api = require('../../lib/api.js')

function pad(n) {
  return n < 10 ? '0' + n : '' + n
}

function day(d) {
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate())
}

let rowKey = 0

Component({
  data: {
    state: 'loading', // loading | form | failed
    busy: false,
    error: '',
    identity: null,
    idTypes: [],
    idTypeIndex: 0,
    countries: [],
    countryIndex: -1,
    symptoms: [],
    name: '',
    idNumber: '',
    temperature: '',
    travel: [],
    contact: false,
    today: '',
    earliest: '',
  },

  methods: {
    onLoad() {
      const now = new Date()
      this.setData({
        today: day(now),
        earliest: day(new Date(now.getTime() - 13 * 86400000)),
      })
      return api.request('GET', '/api/v1/declarations/form').then(res => {
        if (res.status !== 200) return this.setData({state: 'failed', error: api.errorText(res)})
        this.messages = res.data.messages || {}
        this.setData({
          state: 'form',
          identity: res.data.identity,
          idTypes: res.data.id_types,
          countries: res.data.countries,
          symptoms: res.data.symptoms.map(s => ({value: s.value, label: s.label, checked: false})),
        })
      }, res => this.setData({state: 'failed', error: api.errorText(res)}))
    },

    onInput(e) {
      this.setData({[e.currentTarget.dataset.field]: e.detail.value})
    },
    onIdType(e) {
      this.setData({idTypeIndex: Number(e.detail.value)})
    },
    onCountry(e) {
      this.setData({countryIndex: Number(e.detail.value)})
    },
    onSymptoms(e) {
      const on = e.detail.value || []
      this.setData({symptoms: this.data.symptoms.map(s => ({...s, checked: on.indexOf(s.value) >= 0}))})
    },
    onContact(e) {
      this.setData({contact: !!e.detail.value})
    },
    onAdd() {
      this.setData({travel: this.data.travel.concat([{key: ++rowKey, region: '', label: '', date: ''}])})
    },
    onRemove(e) {
      const i = Number(e.currentTarget.dataset.index)
      this.setData({travel: this.data.travel.filter((_, k) => k !== i)})
    },
    // WeChat's region picker: detail.value the names, detail.code the
    // GB/T 2260 codes, province to district; the finest one chosen counts.
    onRegion(e) {
      const i = Number(e.currentTarget.dataset.index)
      const codes = (e.detail.code || []).filter(Boolean)
      const names = (e.detail.value || []).filter(Boolean)
      this.setData({
        ['travel[' + i + '].region']: codes.length ? codes[codes.length - 1] : '',
        ['travel[' + i + '].label']: names.join(' '),
      })
    },
    onDate(e) {
      const i = Number(e.currentTarget.dataset.index)
      this.setData({['travel[' + i + '].date']: e.detail.value})
    },

    // The checks made before sending, with the service's own messages.
    check() {
      const d = this.data
      const m = this.messages
      if (!d.identity) {
        if (!d.name.trim()) return m.invalid_name
        if (!d.idNumber.trim()) return m.invalid_id_number
        if (d.idTypes[d.idTypeIndex].value === 'passport' && d.countryIndex < 0) return m.invalid_nationality
      }
      const t = d.temperature.trim()
      if (t === '' || !isFinite(Number(t))) return m.invalid_temperature
      return ''
    },

    body() {
      const d = this.data
      const b = {
        temperature: Number(d.temperature.trim()),
        symptoms: d.symptoms.filter(s => s.checked).map(s => s.value),
        contact: d.contact,
        travel: d.travel.filter(r => r.region || r.date).map(r => ({region: r.region, date: r.date})),
      }
      if (!d.identity) {
        b.name = d.name.trim()
        b.id_type = d.idTypes[d.idTypeIndex].value
        b.id_number = d.idNumber.trim().toUpperCase()
        if (b.id_type === 'passport') b.nationality = d.countries[d.countryIndex].code
      }
      return b
    },

    onSubmit() {
      const bad = this.check()
      if (bad) return this.setData({error: bad})
      this.setData({busy: true, error: ''})
      return api.request('POST', '/api/v1/declarations', this.body()).then(res => {
        this.setData({busy: false})
        if (res.status !== 201) return this.setData({error: api.errorText(res)})
        wx.showToast({title: '申报成功', icon: 'success'})
        wx.reLaunch({url: '/pages/code/index'})
      }, res => this.setData({busy: false, error: api.errorText(res)}))
    },
  },
})
