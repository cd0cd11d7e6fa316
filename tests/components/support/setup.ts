process.env.TARO_ENV = 'h5';
// app.config.ts and the pages' index.config.ts call Taro's build-time globals
Object.assign(globalThis, { defineAppConfig: <T>(config: T) => config, definePageConfig: <T>(config: T) => config });
