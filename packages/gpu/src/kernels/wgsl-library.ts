/**
 * WGSL helper functions that generated programs call by name. A program gets only those its
 * code names (and what they call): drivers compile unused functions too, and on CPU drivers
 * (lavapipe) each one costs real time at the first dispatch.
 */

// NaN tests look at the bits, so that they hold whatever a compiler assumes about NaN; NaN and
// infinity come from variables because WGSL rejects them as constant expressions. erf_f,
// tanh_f, log1p_f, expm1_f and sinh_f use series near 0 (where the textbook formulas lose
// relative precision); pow_f and pow_i treat negative bases and integer exponents as
// JavaScript's Math.pow does, and pow_f gives 1 for 1ᵇ and (−1)^±∞ as C's pow (and PyTorch). atan_f replaces the atan builtin, which some drivers (lavapipe)
// compute only to about 1e-4; asin_f, acos_f and atan2_f are built on it.
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
  if (b == 0.0 || a == 1.0) { return 1.0; }
  if (abs(a) == 1.0 && abs(b) == inf_f()) { return 1.0; }
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
  log1p_f: `fn log1p_f(x: f32) -> f32 {
  if (abs(x) <= 0.5) {
    let s = x / (2.0 + x);
    let z = s * s;
    return 2.0 * s * (1.0 + z * (0.3333333333333333 + z * (0.2 + z * (0.14285714285714285
      + z * (0.1111111111111111 + z * (0.09090909090909091 + z * (0.07692307692307693
      + z * (0.06666666666666667 + z * 0.058823529411764705))))))));
  }
  return log_f(1.0 + x);
}`,
  expm1_f: `fn expm1_f(x: f32) -> f32 {
  if (abs(x) <= 0.5) {
    return x * (1.0 + x * (0.5 + x * (0.16666666666666666 + x * (0.041666666666666664
      + x * (0.008333333333333333 + x * (0.001388888888888889 + x * (0.0001984126984126984
      + x * (0.0000248015873015873 + x * 0.0000027557319223985893))))))));
  }
  if (x > 88.8) { return inf_f(); }
  return exp(x) - 1.0;
}`,
  sinh_f: `fn sinh_f(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5) {
    let z = x * x;
    return x * (1.0 + z * (0.16666666666666666 + z * (0.008333333333333333
      + z * (0.0001984126984126984 + z * 0.0000027557319223985893))));
  }
  let e = exp(0.5 * a);
  let r = (0.5 * e) * e - 0.5 / (e * e);
  return select(-r, r, x >= 0.0);
}`,
  cosh_f: `fn cosh_f(x: f32) -> f32 {
  let e = exp(0.5 * abs(x));
  return (0.5 * e) * e + 0.5 / (e * e);
}`,
  atan_f: `fn atan_f(x: f32) -> f32 {
  if (isnan_f(x)) { return x; }
  var t = abs(x);
  let inv = t > 1.0;
  if (inv) { t = 1.0 / t; }
  var base = 0.0;
  if (t > 0.41421356237309503) {
    base = 0.7853981633974483;
    t = (t - 1.0) / (t + 1.0);
  }
  let z = t * t;
  var r = base + t * (1.0 - z * (0.3333333333333333 - z * (0.2 - z * (0.14285714285714285
    - z * (0.1111111111111111 - z * (0.09090909090909091 - z * (0.07692307692307693
    - z * (0.06666666666666667 - z * (0.058823529411764705 - z * 0.05263157894736842)))))))));
  if (inv) { r = 1.5707963267948966 - r; }
  return select(r, -r, signbit_f(x));
}`,
  asin_f: `fn asin_f(x: f32) -> f32 {
  if (!(abs(x) <= 1.0)) { return nan_f(); }
  return atan2_f(x, sqrt((1.0 - x) * (1.0 + x)));
}`,
  acos_f: `fn acos_f(x: f32) -> f32 {
  if (!(abs(x) <= 1.0)) { return nan_f(); }
  return atan2_f(sqrt((1.0 - x) * (1.0 + x)), x);
}`,
  signbit_f: 'fn signbit_f(x: f32) -> bool { return (bitcast<u32>(x) & 0x80000000u) != 0u; }',
  atan2_f: `fn atan2_f(y: f32, x: f32) -> f32 {
  if (isnan_f(y) || isnan_f(x)) { return nan_f(); }
  let ax = abs(x);
  let ay = abs(y);
  var r: f32;
  if (ay == 0.0) {
    r = 0.0;
  } else if (ax == inf_f() && ay == inf_f()) {
    r = 0.7853981633974483;
  } else if (ay <= ax) {
    r = atan_f(ay / ax);
  } else {
    r = 1.5707963267948966 - atan_f(ax / ay);
  }
  if (signbit_f(x)) { r = 3.141592653589793 - r; }
  return select(r, -r, signbit_f(y));
}`,
  hypot_f: `fn hypot_f(a: f32, b: f32) -> f32 {
  let x = abs(a);
  let y = abs(b);
  if (x == inf_f() || y == inf_f()) { return inf_f(); }
  if (isnan_f(x) || isnan_f(y)) { return nan_f(); }
  let m = max(x, y);
  if (m == 0.0) { return 0.0; }
  let r = min(x, y) / m;
  return m * sqrt(1.0 + r * r);
}`,
  rem_f: `fn rem_f(a: f32, b: f32) -> f32 {
  if (b == 0.0 || isnan_f(a) || isnan_f(b) || abs(a) == inf_f()) { return nan_f(); }
  if (abs(b) == inf_f()) { return select(a, b, a != 0.0 && (a < 0.0) != (b < 0.0)); }
  // fmod by long division: subtract |b| scaled by powers of two; each step is exact.
  let y = abs(b);
  let ey = frexp(y).exp;
  var r = abs(a);
  for (var i = 0; i < 300 && r >= y; i++) {
    var t = ldexp(y, frexp(r).exp - ey);
    if (t > r) { t = t * 0.5; }
    r = r - t;
  }
  r = select(r, -r, signbit_f(a));
  if (r != 0.0 && (r < 0.0) != (b < 0.0)) { r = r + b; }
  return r;
}`,
  rem_i: `fn rem_i(a: i32, b: i32) -> i32 {
  if (b == 0i || b == -1i) { return 0i; }
  let r = a % b;
  return select(r, r + b, r != 0i && (r < 0i) != (b < 0i));
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
