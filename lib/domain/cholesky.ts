/** Cholesky factor L (lower triangular, d × d row-major, float64) of a symmetric positive definite A = LLᵀ. */
export function cholesky(a: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let p = 0; p < j; p++) s -= l[i * d + p] * l[j * d + p];
      if (i === j) {
        if (s <= 0) throw new RangeError('matrix is not positive definite');
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / l[j * d + j];
    }
  }
  return l;
}

/** Solve A w = b for a symmetric positive definite d × d A. */
export function choleskySolve(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const l = cholesky(a, d);
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let p = 0; p < i; p++) s -= l[i * d + p] * y[p];
    y[i] = s / l[i * d + i];
  }
  const w = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i];
    for (let p = i + 1; p < d; p++) s -= l[p * d + i] * w[p];
    w[i] = s / l[i * d + i];
  }
  return w;
}

/** A⁻¹ of a symmetric positive definite d × d A: L⁻¹ (lower triangular), then A⁻¹ = L⁻ᵀ L⁻¹. */
export function spdInverse(a: Float64Array, d: number): Float64Array {
  const l = cholesky(a, d);
  const li = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    li[i * d + i] = 1 / l[i * d + i];
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let p = j; p < i; p++) s += l[i * d + p] * li[p * d + j];
      li[i * d + j] = -s / l[i * d + i];
    }
  }
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = i; p < d; p++) s += li[p * d + i] * li[p * d + j];
      inv[i * d + j] = s;
      inv[j * d + i] = s;
    }
  }
  return inv;
}
