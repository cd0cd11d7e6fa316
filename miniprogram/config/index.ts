import path from 'path'
import { defineConfig, type UserConfigExport } from '@tarojs/cli'
import TsconfigPathsPlugin from 'tsconfig-paths-webpack-plugin'
import devConfig from './dev'
import prodConfig from './prod'

// The workspace package @anchor/shared is TypeScript source living outside miniprogram/.
// It is aliased to its source and added to the babel include list so Taro compiles it.
const sharedSrc = path.resolve(__dirname, '../../shared/src')

// NutUI components are designed at 375 px wide; everything else at 750.
// Taro calls this with a postcss Input (has .file) at build time, and the same function is
// serialised into the app bundle for Taro.pxTransform(size) at runtime. Keep it self-contained and
// free of `typeof x === 'object'`: the config transpiler turns that into a `_type_of` helper call
// that does not exist in the bundle.
function designWidth(input?: unknown): number {
  const file = (input as { file?: unknown } | null | undefined)?.file
  if (typeof file === 'string' && file.replace(/\\+/g, '/').indexOf('/@nutui/') > -1) return 375
  return 750
}

// https://taro-docs.jd.com/docs/next/config#defineconfig-辅助函数
export default defineConfig<'webpack5'>(async (merge) => {
  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'anchor-miniprogram',
    date: '2026-11-27',
    designWidth,
    deviceRatio: {
      640: 2.34 / 2,
      750: 1,
      375: 2,
      828: 1.81 / 2
    },
    sourceRoot: 'src',
    outputRoot: `dist/${process.env.TARO_ENV}`,
    plugins: [],
    defineConstants: {
      // weapp: where the API lives (H5 is served by the server itself and uses the same origin)
      'process.env.TARO_APP_API_BASE': JSON.stringify(process.env.TARO_APP_API_BASE || 'http://localhost:3000')
    },
    alias: {
      '@anchor/shared': path.join(sharedSrc, 'index.ts')
    },
    copy: {
      patterns: [],
      options: {}
    },
    framework: 'react',
    compiler: 'webpack5',
    cache: {
      enable: false
    },
    mini: {
      compile: {
        include: [sharedSrc]
      },
      postcss: {
        pxtransform: {
          enable: true,
          config: {}
        },
        cssModules: {
          enable: false,
          config: {
            namingPattern: 'module',
            generateScopedName: '[name]__[local]___[hash:base64:5]'
          }
        }
      },
      webpackChain(chain) {
        chain.resolve.plugin('tsconfig-paths').use(TsconfigPathsPlugin)
      }
    },
    h5: {
      publicPath: '/app/',
      staticDirectory: 'static',
      router: {
        mode: 'hash'
      },
      compile: {
        include: [sharedSrc]
      },
      output: {
        filename: 'js/[name].[hash:8].js',
        chunkFilename: 'js/[name].[chunkhash:8].js'
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[hash].css',
        chunkFilename: 'css/[name].[chunkhash].css'
      },
      postcss: {
        autoprefixer: {
          enable: true,
          config: {}
        },
        cssModules: {
          enable: false,
          config: {
            namingPattern: 'module',
            generateScopedName: '[name]__[local]___[hash:base64:5]'
          }
        }
      },
      webpackChain(chain) {
        chain.resolve.plugin('tsconfig-paths').use(TsconfigPathsPlugin)
        // Each page is its own async chunk; without this every one carried its own copy of zod, the
        // voice-note parser and Taro's components (~270 KB each).
        chain.optimization.splitChunks({
          chunks: 'async',
          cacheGroups: {
            common: { name: 'common', chunks: 'async', minChunks: 2, priority: 10, reuseExistingChunk: true, enforce: true }
          }
        })
      }
    }
  }

  if (process.env.NODE_ENV === 'development') {
    // 本地开发构建配置（不混淆压缩）
    return merge({}, baseConfig, devConfig)
  }
  // 生产构建配置（默认开启压缩混淆等）
  return merge({}, baseConfig, prodConfig)
})
