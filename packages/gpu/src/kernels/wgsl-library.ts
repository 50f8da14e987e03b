/**
 * WGSL helper functions that generated programs call by name. A program gets only those its
 * code names (and what they call): drivers compile unused functions too, and on CPU drivers
 * (lavapipe) each one costs real time at the first dispatch.
 */

// NaN tests look at the bits, so that they hold whatever a compiler assumes about NaN; NaN and
// infinity come from variables because WGSL rejects them as constant expressions. erf_f and
// tanh_f use series near 0 (where the textbook formulas lose relative precision); pow_f and
// pow_i treat negative bases and integer exponents as JavaScript's Math.pow does.
const LIBRARY: Record<string, string> = {
  isnan_f: 'fn isnan_f(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }',
  nan_f: 'fn nan_f() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }',
  inf_f: 'fn inf_f() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }',
  f2i: `fn f2i(x: f32) -> i32 {
  if (abs(x) < 2147483648.0) { return i32(x); }
  if (!(abs(x) <= 3.4028234663852886e38)) { return 0i; }
  var m = x - 4294967296.0 * floor(x / 4294967296.0);
  if (m >= 2147483648.0) { m = m - 4294967296.0; }
  return i32(m);
}`,
  max_f: `fn max_f(a: f32, b: f32) -> f32 {
  if (isnan_f(a) || isnan_f(b)) { return nan_f(); }
  return select(b, a, a > b);
}`,
  min_f: `fn min_f(a: f32, b: f32) -> f32 {
  if (isnan_f(a) || isnan_f(b)) { return nan_f(); }
  return select(b, a, a < b);
}`,
  erf_f: `fn erf_f(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5) {
    let z = x * x;
    return x * 1.1283791670955126 * (1.0 + z * (-0.3333333333333333 + z * (0.1 + z * (-0.023809523809523808
      + z * (0.004629629629629629 + z * (-0.0007575757575757576 + z * 0.00010683760683760684))))));
  }
  if (isnan_f(x)) { return x; }
  let t = 1.0 / (1.0 + 0.5 * a);
  let erfc = t * exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
    + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
    + t * (-0.82215223 + t * 0.17087277)))))))));
  return select(erfc - 1.0, 1.0 - erfc, x >= 0.0);
}`,
  tanh_f: `fn tanh_f(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.3) {
    let z = x * x;
    return x * (1.0 + z * (-0.3333333333333333 + z * (0.13333333333333333 + z * (-0.05396825396825397
      + z * (0.021869488536155203 + z * -0.008863235529902197)))));
  }
  let r = 1.0 - 2.0 / (exp(2.0 * a) + 1.0);
  return select(-r, r, x >= 0.0);
}`,
  sigmoid_f: `fn sigmoid_f(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}`,
  log_f: `fn log_f(x: f32) -> f32 {
  if (x < 0.0) { return nan_f(); }
  if (x == 0.0) { return -inf_f(); }
  return log(x);
}`,
  sqrt_f: `fn sqrt_f(x: f32) -> f32 {
  if (x < 0.0) { return nan_f(); }
  return sqrt(x);
}`,
  pow_f: `fn pow_f(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (isnan_f(a) || isnan_f(b)) { return nan_f(); }
  let ab = abs(a);
  let isInt = floor(b) == b;
  var m: f32;
  if (isInt && abs(b) <= 64.0) {
    var e = u32(abs(b));
    var base = ab;
    m = 1.0;
    loop {
      if ((e & 1u) == 1u) { m = m * base; }
      e = e >> 1u;
      if (e == 0u) { break; }
      base = base * base;
    }
    if (b < 0.0) { m = 1.0 / m; }
  } else if (ab == 0.0) {
    m = select(0.0, inf_f(), b < 0.0);
  } else if (ab == inf_f()) {
    m = select(inf_f(), 0.0, b < 0.0);
  } else {
    m = exp2(b * log2(ab));
  }
  if (a < 0.0) {
    if (!isInt) { return nan_f(); }
    let odd = abs(b) < 16777216.0 && abs(b) % 2.0 == 1.0;
    return select(m, -m, odd);
  }
  return m;
}`,
  div_i: `fn div_i(a: i32, b: i32) -> i32 {
  if (b == 0i) { return 0i; }
  return a / b;
}`,
  pow_i: `fn pow_i(a: i32, b: i32) -> i32 {
  if (b < 0i) {
    if (a == 1i) { return 1i; }
    if (a == -1i) { return select(1i, -1i, (b & 1i) != 0i); }
    return 0i;
  }
  var e = u32(b);
  var base = a;
  var m = 1i;
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) == 1u) { m = m * base; }
    e = e >> 1u;
    base = base * base;
  }
  return m;
}`,
};

/** The helper functions `code` calls, directly or through other helpers. */
export function helpersFor(code: string): string {
  const used = new Set<string>();
  const scan = (text: string) => {
    for (const name of Object.keys(LIBRARY)) {
      if (!used.has(name) && text.includes(`${name}(`)) {
        used.add(name);
        scan(LIBRARY[name]!);
      }
    }
  };
  scan(code);
  return [...used].map((n) => LIBRARY[n]).join('\n');
}
