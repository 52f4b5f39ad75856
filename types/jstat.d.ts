// The part of jStat (npm `jstat`, no bundled types) that lib/analysis/uncertainty.ts uses.
declare module 'jstat' {
  export const jStat: {
    studentt: {
      /** Quantile function of Student's t with `dof` degrees of freedom. */
      inv(p: number, dof: number): number;
    };
  };
}
