// The part of jStat (npm `jstat`, no bundled types) that lib/analysis/uncertainty.ts uses.
// jstat is CommonJS: Node's ESM loader (the CLI bundle keeps packages external) exposes only its default export.
declare module 'jstat' {
  const jstat: {
    jStat: {
      studentt: {
        /** Quantile function of Student's t with `dof` degrees of freedom. */
        inv(p: number, dof: number): number;
      };
    };
  };
  export default jstat;
}
