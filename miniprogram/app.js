// The mini-program's app: nothing global beyond what lib/api.js keeps in
// storage (the session token).  Every page is a Component, so the official
// test tool (miniprogram-simulate) loads it as it is.
App({})
