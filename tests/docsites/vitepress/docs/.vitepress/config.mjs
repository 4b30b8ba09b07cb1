// The VitePress recipe of the README, as the test command builds it.
export default {
  title: 'ctxgroup in VitePress',
  head: [['link', { rel: 'icon', href: 'data:,' }]],
  vue: { template: { compilerOptions: { isCustomElement: (tag) => tag === 'ctxgroup-playground' } } },
  // The package finds its worker and wasm next to its module: keep Vite's dev server from
  // pre-bundling it elsewhere.
  vite: { optimizeDeps: { exclude: ['ctxgroup-playground'] } },
};
