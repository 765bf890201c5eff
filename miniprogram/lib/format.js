// Words and times the pages show: colour names and dates.  Everything
// else in words (errors, reasons, verification results) comes from the
// service, in the request's language.

const COLOURS = {green: '绿码', yellow: '黄码', red: '红码'}

// '绿码' for 'green'; '' for anything else (null: no declaration).
function colourName(c) {
  return COLOURS[c] || ''
}

function pad(n) {
  return n < 10 ? '0' + n : '' + n
}

// 'YYYY-MM-DD HH:MM:SS' of a Date, in the phone's time.
function clock(d) {
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) +
    ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds())
}

// 'YYYY-MM-DD HH:MM' of the API's ISO 8601 time with offset, as written
// (the service's zone), or the text itself when it is not one.
function when(iso) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso || '')
  return m ? m[1] + ' ' + m[2] : iso || ''
}

module.exports = {colourName, clock, when}
