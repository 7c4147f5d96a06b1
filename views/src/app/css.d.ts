// esbuild bundles CSS imports into dist/results.css.
declare module '*.css';
