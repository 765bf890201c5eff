// Where the service runs.  In WeChat's admin console (开发管理 -> 开发设置
// -> 服务器域名) this host must be the mini-program's request domain
// (request合法域名), over https with a valid certificate.  The tests point
// it at their own server.
module.exports = {
  base: 'https://hc.example.gov.cn',
  // Seconds before a code expires at which the code page fetches the next.
  renewBefore: 30,
}
