// Source of the WebAssembly SIMD128 elementwise and optimizer kernels (float32).
//
// Like `matmul-wat.mjs`, this module emits WebAssembly text, assembled by
// `scripts/build-wasm.mjs` into `elementwise-wasm.gen.ts`. Each kernel is a plain loop
// over 4-lane vectors; `elementwise-wasm.ts` copies the operands into linear memory,
// calls one export and copies the result out.
//
// Shapes. An operand is a list of rows: an i32 array of byte addresses, one per row, each
// the start of L contiguous values. The binary ops and where also come in variants named
// `<kernel>_s<i>` whose operand i is a broadcast scalar: each of its rows points at one
// vector holding the value in every lane (16 bytes of it for a bool), read for every vector.
// The output is written row after row, contiguously.
// Every row is processed in whole vectors (ceil(L/4) of them), so a kernel may write up
// to three values past the end of a row: the next row overwrites them, and the caller
// leaves 16 bytes of slack after the output and after every operand.
//
// Every kernel but exp, sigmoid and tanh computes each lane with the same IEEE float32
// operation the TypeScript loops perform (their float64 result rounded to float32 is the
// same number for +, -, *, /, sqrt, comparisons), so both paths give identical results.
// Those three evaluate polynomials and land within 2 ulp of the float64 functions.

/** Unary ops: name -> expression of the input vector `x`. */
const UNARY = {
  relu: (x) => `(f32x4.max ${x} (v128.const i32x4 0 0 0 0))`,
  neg: (x) => `(f32x4.neg ${x})`,
  abs: (x) => `(f32x4.abs ${x})`,
  sqrt: (x) => `(f32x4.sqrt ${x})`,
  reciprocal: (x) => `(f32x4.div (v128.const f32x4 1 1 1 1) ${x})`,
  floor: (x) => `(f32x4.floor ${x})`,
};

/** Binary ops with a float32 result: name -> expression of the operand vectors `a` and `b`. */
const ARITH = {
  add: (a, b) => `(f32x4.add ${a} ${b})`,
  sub: (a, b) => `(f32x4.sub ${a} ${b})`,
  mul: (a, b) => `(f32x4.mul ${a} ${b})`,
  div: (a, b) => `(f32x4.div ${a} ${b})`,
  maximum: (a, b) => `(f32x4.max ${a} ${b})`,
  minimum: (a, b) => `(f32x4.min ${a} ${b})`,
  // relu's gradient from its output a and the gradient b: b where a > 0, else +0.
  relu_bw: (a, b) => `(v128.and ${b} (f32x4.gt ${a} (v128.const i32x4 0 0 0 0)))`,
};

/** Comparisons, with a bool (one byte, 0 or 1) result. */
const COMPARE = {
  eq: 'f32x4.eq',
  ne: 'f32x4.ne',
  lt: 'f32x4.lt',
  le: 'f32x4.le',
  gt: 'f32x4.gt',
  ge: 'f32x4.ge',
};

/** A float32 constant in all four lanes. */
const splat = (v) => `(f32x4.splat (f32.const ${v}))`;

/**
 * exp(x) in float32, after Cephes' expf: x = n·ln2 + r with n = round(x·log2 e) and r
 * reduced in two steps (ln2 = C1 + C2), e^r from a degree-7 polynomial, then scaled by 2^n
 * as 2^(n/2)·2^(n - n/2) so that each factor is a normal float. x is first clamped to
 * [-104, 89], past which the result is 0 or +Infinity anyway; NaN stays NaN. At -104 (so for
 * -Infinity, the masked scores of a softmax) the second factor is made 0 rather than 2^-75:
 * the product is the same +0, without an underflow, which x86 processors handle in microcode
 * many times slower than a plain multiply. Within 2 ulp of the correctly rounded result (the
 * tests check against Math.exp).
 */
function exp(x) {
  const c = splat;
  return `(block (result v128)
      (local.set $t ${x})
      (local.set $t (f32x4.max (f32x4.min (local.get $t) ${c(89)}) ${c(-104)}))
      (local.set $e (f32x4.nearest (f32x4.mul (local.get $t) ${c(Math.LOG2E)})))
      (local.set $r (f32x4.sub (f32x4.sub (local.get $t) (f32x4.mul (local.get $e) ${c(0.693359375)}))
        (f32x4.mul (local.get $e) ${c(-2.1219444e-4)})))
      (local.set $p ${c(1.98756915e-4)})
      ${[1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]
        .map((k) => `(local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) ${c(k)}))`)
        .join('\n      ')}
      (local.set $p (f32x4.add (f32x4.add
        (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r)) ${c(1)}))
      (local.set $k (i32x4.trunc_sat_f32x4_s (local.get $e)))
      (local.set $h (i32x4.shr_s (local.get $k) (i32.const 1)))
      (f32x4.mul
        (f32x4.mul (local.get $p) (i32x4.shl (i32x4.add (local.get $h) (i32x4.splat (i32.const 127))) (i32.const 23)))
        (v128.andnot
          (i32x4.shl (i32x4.add (i32x4.sub (local.get $k) (local.get $h)) (i32x4.splat (i32.const 127))) (i32.const 23))
          (f32x4.eq (local.get $t) ${c(-104)}))))`;
}

/**
 * σ(x) with e = e^-|x|: 1 / (1 + e) for x ≥ 0 and e / (1 + e) below, so that large negative
 * x gives e^x down to the subnormals rather than 0; NaN stays NaN.
 */
function sigmoid(x) {
  return `(block (result v128)
      (local.set $q ${x})
      (local.set $s ${exp('(f32x4.neg (f32x4.abs (local.get $q)))')})
      (local.set $z (f32x4.add ${splat(1)} (local.get $s)))
      (v128.bitselect
        (f32x4.div (local.get $s) (local.get $z))
        (f32x4.div ${splat(1)} (local.get $z))
        (f32x4.lt (local.get $q) ${splat(0)})))`;
}

/**
 * tanh(x) after Cephes' tanhf, on a = |x| with the sign of x put back at the end: for
 * a < 0.625 an odd polynomial, a + a·z·P(z) with z = a²; beyond, 1 - 2 / (e^2a + 1).
 */
function tanh(x) {
  const poly = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];
  let p = splat(poly[0]);
  for (const k of poly.slice(1)) p = `(f32x4.add (f32x4.mul ${p} (local.get $z)) ${splat(k)})`;
  return `(block (result v128)
      (local.set $q ${x})
      (local.set $a (f32x4.abs (local.get $q)))
      (local.set $z (f32x4.mul (local.get $a) (local.get $a)))
      (local.set $s (f32x4.sub ${splat(1)}
        (f32x4.div ${splat(2)} (f32x4.add ${exp('(f32x4.add (local.get $a) (local.get $a))')} ${splat(1)}))))
      (v128.or
        (v128.bitselect
          (f32x4.add (local.get $a) (f32x4.mul (f32x4.mul ${p} (local.get $z)) (local.get $a)))
          (local.get $s)
          (f32x4.lt (local.get $a) ${splat(0.625)}))
        (v128.and (local.get $q) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))))`;
}

/** A contiguous unary loop: out[i] = f(x[i]) for ceil(n/4) vectors. */
function unary(name, f) {
  return `
  (func (export "u_${name}") (param $x i32) (param $out i32) (param $n i32)
    (local $end i32) (local $t v128) (local $e v128) (local $r v128) (local $p v128) (local $k v128) (local $h v128)
    (local $q v128) (local $a v128) (local $s v128) (local $z v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (loop $v
      (v128.store (local.get $out) ${f('(v128.load (local.get $x))')})
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br_if $v (i32.lt_u (local.get $x) (local.get $end)))))`;
}

/**
 * fill(dst, bytes, pattern): ceil(bytes/16) vectors of the 32-bit `pattern` from `dst` (a
 * float32's bits, or a byte repeated four times): the rows of an operand that repeats one
 * value along each row, without the per-element writes of a typed array's fill on shared
 * memory.
 */
function fill() {
  return `
  (func (export "fill") (param $dst i32) (param $bytes i32) (param $pattern i32)
    (local $end i32) (local $v v128)
    (local.set $v (i32x4.splat (local.get $pattern)))
    (local.set $end (i32.add (local.get $dst) (local.get $bytes)))
    (loop $vec
      (v128.store (local.get $dst) (local.get $v))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br_if $vec (i32.lt_u (local.get $dst) (local.get $end)))))`;
}

/**
 * copy_rows(dsts, srcs, rows, bytes): copies `bytes` from the address in row r of the table
 * `srcs` to the one in row r of `dsts`, for each of `rows` rows (typed arrays copy element by
 * element over shared memory, several times slower). Long rows go through `memory.copy`; short
 * ones, where its call costs more than the copy, through 16-byte vectors and then single bytes.
 */
function copyRows() {
  const entry = (t) => `(i32.load (i32.add (local.get ${t}) (i32.shl (local.get $r) (i32.const 2))))`;
  return `
  (func (export "copy_rows") (param $dsts i32) (param $srcs i32) (param $rows i32) (param $bytes i32)
    (local $r i32) (local $d i32) (local $s i32) (local $i i32) (local $vecs i32)
    (local.set $vecs (i32.and (local.get $bytes) (i32.const -16)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $d ${entry('$dsts')})
        (local.set $s ${entry('$srcs')})
        (if (i32.ge_u (local.get $bytes) (i32.const ${COPY_CALL_FROM}))
          (then (memory.copy (local.get $d) (local.get $s) (local.get $bytes)))
          (else
            (local.set $i (i32.const 0))
            (block $vdone
              (loop $vec
                (br_if $vdone (i32.ge_u (local.get $i) (local.get $vecs)))
                (v128.store (i32.add (local.get $d) (local.get $i)) (v128.load (i32.add (local.get $s) (local.get $i))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $vec)))
            (block $bdone
              (loop $byte
                (br_if $bdone (i32.ge_u (local.get $i) (local.get $bytes)))
                (i32.store8 (i32.add (local.get $d) (local.get $i)) (i32.load8_u (i32.add (local.get $s) (local.get $i))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $byte)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))`;
}

/** Row length in bytes from which `copy_rows` calls `memory.copy`. */
const COPY_CALL_FROM = 1024;

/**
 * sum_at(src, out, outer, o0, o1, inner, m): for each output o0 ≤ o < o1, the sum of the m
 * float32 values at src + outer[o] + inner[j] (byte offsets; with `inner` 0, m adjacent
 * values), added in float64 in order j = 0, 1, … from +0 and rounded once to float32 into
 * out[o]: the TypeScript loop's sum, bit for bit.
 */
function sumAt() {
  return `
  (func (export "sum_at") (param $src i32) (param $out i32) (param $outer i32) (param $o0 i32) (param $o1 i32)
    (param $inner i32) (param $m i32)
    (local $o i32) (local $base i32) (local $j i32) (local $s f64)
    ${eachOutput(`(local.set $s (f64.const 0))
        (local.set $j (i32.const 0))
        (block $jdone
          (loop $jl
            (br_if $jdone (i32.ge_u (local.get $j) (local.get $m)))
            (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load
              (if (result i32) (local.get $inner)
                (then (i32.add (local.get $base)
                  (i32.load (i32.add (local.get $inner) (i32.shl (local.get $j) (i32.const 2))))))
                (else (i32.add (local.get $base) (i32.shl (local.get $j) (i32.const 2)))))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $jl)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 2))) (f32.demote_f64 (local.get $s)))`)})`;
}

/** `body` for each output $o0 ≤ $o < $o1, with $base the address of its first value (src + outer[o]). */
function eachOutput(body) {
  return `(local.set $o (local.get $o0))
    (block $done
      (loop $ol
        (br_if $done (i32.ge_u (local.get $o) (local.get $o1)))
        (local.set $base (i32.add (local.get $src)
          (i32.load (i32.add (local.get $outer) (i32.shl (local.get $o) (i32.const 2))))))
        ${body}
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $ol)))`;
}

/**
 * arg_at(src, out, outer, o0, o1, inner, m, max): like `sum_at`, but out[o] (an int32) is the
 * first j whose value is the largest (`max` 1) or smallest (0) of the m, where a NaN wins and
 * ends the search, as in PyTorch. m ≥ 1.
 */
function argAt() {
  const at = (j) =>
    `(f32.load (i32.add (local.get $base) (i32.load (i32.add (local.get $inner) (i32.shl ${j} (i32.const 2))))))`;
  return `
  (func (export "arg_at") (param $src i32) (param $out i32) (param $outer i32) (param $o0 i32) (param $o1 i32)
    (param $inner i32) (param $m i32) (param $max i32)
    (local $o i32) (local $base i32) (local $j i32) (local $k i32) (local $best f32) (local $v f32)
    ${eachOutput(`${argScan(at)}
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 2))) (local.get $k))`)})`;
}

/**
 * Sets $k to the first j < $m whose value `at(j)` is the largest ($max 1) or smallest (0), a
 * NaN winning and ending the scan; uses $best, $v and $j.
 */
function argScan(at) {
  return `(local.set $best ${at('(i32.const 0)')})
        (local.set $k (i32.const 0))
        (local.set $j (i32.const 1))
        (block $jdone
          (loop $jl
            (br_if $jdone (i32.ge_u (local.get $j) (local.get $m)))
            (br_if $jdone (f32.ne (local.get $best) (local.get $best)))
            (local.set $v ${at('(local.get $j)')})
            (if (i32.or (f32.ne (local.get $v) (local.get $v))
                  (if (result i32) (local.get $max)
                    (then (f32.gt (local.get $v) (local.get $best)))
                    (else (f32.lt (local.get $v) (local.get $best)))))
              (then (local.set $best (local.get $v)) (local.set $k (local.get $j))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $jl)))`;
}

/**
 * arg_dim(src, out, a0, a1, m, inner, max): `arg_at` along one dim of a contiguous
 * [outer, m, inner] block, for the outer rows a0 ≤ a < a1: out[a·inner + b] is the index along
 * the dim of the value `arg_at` would pick, read `inner` values apart, without tables.
 */
function argDim() {
  const at = (j) => `(f32.load (i32.add (local.get $base) (i32.mul ${j} (local.get $step))))`;
  return `
  (func (export "arg_dim") (param $src i32) (param $out i32) (param $a0 i32) (param $a1 i32) (param $m i32)
    (param $inner i32) (param $max i32)
    (local $a i32) (local $b i32) (local $step i32) (local $base i32) (local $j i32) (local $k i32)
    (local $best f32) (local $v f32)
    (local.set $step (i32.shl (local.get $inner) (i32.const 2)))
    (local.set $a (local.get $a0))
    (block $done
      (loop $al
        (br_if $done (i32.ge_u (local.get $a) (local.get $a1)))
        (local.set $b (i32.const 0))
        (block $bdone
          (loop $bl
            (br_if $bdone (i32.ge_u (local.get $b) (local.get $inner)))
            (local.set $base (i32.add (local.get $src) (i32.shl (i32.add
              (i32.mul (local.get $a) (i32.mul (local.get $m) (local.get $inner))) (local.get $b)) (i32.const 2))))
            ${argScan(at)}
            (i32.store (i32.add (local.get $out)
              (i32.shl (i32.add (i32.mul (local.get $a) (local.get $inner)) (local.get $b)) (i32.const 2)))
              (local.get $k))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $bl)))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $al))))`;
}

// Convolution windows, plane by plane (p0 ≤ p < p1, plane p = image p / C, channel p mod C; sn
// and sc its byte strides). JavaScript works out the geometry into two tables: for each kernel
// column kw, the window columns [lo, hi) whose tap lies inside the row and the byte offset of
// the first such tap; for each (kernel row kh, window row oh), the byte offset of the input row
// the tap reads, or -1 where it lies in the padding.

/** Locals of the window kernels. */
const windowLocals = `(local $p i32) (local $kh i32) (local $kw i32) (local $oh i32) (local $lo i32) (local $hi i32)
    (local $row i32) (local $plane i32) (local $s i32) (local $d i32) (local $end i32) (local $vend i32) (local $kwAt i32)`;

/** Sets $plane to the byte address of plane $p of `base` (planes sn, sc bytes apart by image, channel). */
const planeOf = (base) => `(local.set $plane (i32.add (local.get ${base}) (i32.add
        (i32.mul (i32.div_u (local.get $p) (local.get $C)) (local.get $sn))
        (i32.mul (i32.rem_u (local.get $p) (local.get $C)) (local.get $sc)))))`;

/** `body` for every (kh, kw, oh) of a plane, with $lo, $hi, $kwAt (the kw entry) and $row (the kh, oh entry) set. */
const eachTap = (body) => `(local.set $kh (i32.const 0))
      (loop $khl
        (local.set $kw (i32.const 0))
        (loop $kwl
          (local.set $kwAt (i32.add (local.get $kwTab) (i32.mul (local.get $kw) (i32.const 12))))
          (local.set $lo (i32.load (local.get $kwAt)))
          (local.set $hi (i32.load offset=4 (local.get $kwAt)))
          (local.set $oh (i32.const 0))
          (loop $ohl
            (local.set $row (i32.load (i32.add (local.get $ihTab)
              (i32.shl (i32.add (i32.mul (local.get $kh) (local.get $OH)) (local.get $oh)) (i32.const 2)))))
            ${body}
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br_if $ohl (i32.lt_u (local.get $oh) (local.get $OH))))
          (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
          (br_if $kwl (i32.lt_u (local.get $kw) (local.get $KW))))
        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
        (br_if $khl (i32.lt_u (local.get $kh) (local.get $KH))))`;

/** Stores `pad` from byte $d up to `end` (4 bytes at a time; `end` must not depend on $d). */
const padTo = (end) => `(block $pdone
              (loop $pl
                (br_if $pdone (i32.ge_u (local.get $d) ${end}))
                (f32.store (local.get $d) (local.get $pad))
                (local.set $d (i32.add (local.get $d) (i32.const 4)))
                (br $pl)))`;

/**
 * im2col(src, out, p0, p1, C, sn, sc, KH, KW, OH, OW, step, kwTab, ihTab, pad): planes of
 * [C, H, W] images to contiguous [C, kH·kW, oH·oW] planes of taps: for each (kh, kw, oh) a
 * row of OW, the pad value outside [lo, hi) and, inside, taps `step` bytes apart from the kw
 * entry's offset (+ 8 in its 12-byte entry) on the input row. Taps next to each other (step 4)
 * go four at a time.
 */
function im2col() {
  return `
  (func (export "im2col") (param $src i32) (param $out i32) (param $p0 i32) (param $p1 i32) (param $C i32)
    (param $sn i32) (param $sc i32) (param $KH i32) (param $KW i32) (param $OH i32) (param $OW i32)
    (param $step i32) (param $kwTab i32) (param $ihTab i32) (param $pad f32)
    ${windowLocals}
    (local.set $d (i32.add (local.get $out) (i32.shl (i32.mul (local.get $p0)
      (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (i32.mul (local.get $OH) (local.get $OW)))) (i32.const 2))))
    (local.set $p (local.get $p0))
    (block $done
      (loop $pll
        (br_if $done (i32.ge_u (local.get $p) (local.get $p1)))
        ${planeOf('$src')}
        ${eachTap(`(local.set $end (i32.add (local.get $d) (i32.shl (local.get $OW) (i32.const 2))))
            (if (i32.lt_s (local.get $row) (i32.const 0))
              (then ${padTo('(local.get $end)')})
              (else
                (local.set $vend (i32.add (local.get $d) (i32.shl (local.get $lo) (i32.const 2))))
                ${padTo('(local.get $vend)')}
                (local.set $s (i32.add (i32.add (local.get $plane) (local.get $row)) (i32.load offset=8 (local.get $kwAt))))
                (local.set $vend (i32.add (local.get $d) (i32.shl (i32.sub (local.get $hi) (local.get $lo)) (i32.const 2))))
                (if (i32.eq (local.get $step) (i32.const 4))
                  (then
                    (block $vdone
                      (loop $vl
                        (br_if $vdone (i32.gt_u (i32.add (local.get $d) (i32.const 16)) (local.get $vend)))
                        (v128.store (local.get $d) (v128.load (local.get $s)))
                        (local.set $d (i32.add (local.get $d) (i32.const 16)))
                        (local.set $s (i32.add (local.get $s) (i32.const 16)))
                        (br $vl)))))
                (block $sdone
                  (loop $sl
                    (br_if $sdone (i32.ge_u (local.get $d) (local.get $vend)))
                    (f32.store (local.get $d) (f32.load (local.get $s)))
                    (local.set $d (i32.add (local.get $d) (i32.const 4)))
                    (local.set $s (i32.add (local.get $s) (local.get $step)))
                    (br $sl)))
                ${padTo('(local.get $end)')}))`)}
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pll))))`;
}

/**
 * col2im(src, out, p0, p1, C, sn, sc, KH, KW, OH, OW, sk, sp, kwTab, ihTab, strW, planeBytes):
 * adds planes of taps [C, kH·kW, oH·oW] (tap rows sk bytes apart, taps sp bytes apart) back into
 * contiguous [C, H, W] planes of `planeBytes`: the taps [lo, hi) of each (kh, kw, oh) row go to
 * the output row of the (kh, oh) entry from the kw entry's offset, `strW` bytes apart, in the
 * order of the TypeScript loop (so every sum rounds alike); four at a time where both are
 * adjacent.
 */
function col2im() {
  return `
  (func (export "col2im") (param $src i32) (param $out i32) (param $p0 i32) (param $p1 i32) (param $C i32)
    (param $sn i32) (param $sc i32) (param $KH i32) (param $KW i32) (param $OH i32) (param $OW i32)
    (param $sk i32) (param $sp i32) (param $kwTab i32) (param $ihTab i32) (param $strW i32) (param $planeBytes i32)
    ${windowLocals} (local $dst i32) (local $vec i32)
    (local.set $vec (i32.and (i32.eq (local.get $sp) (i32.const 4)) (i32.eq (local.get $strW) (i32.const 4))))
    (local.set $p (local.get $p0))
    (block $done
      (loop $pll
        (br_if $done (i32.ge_u (local.get $p) (local.get $p1)))
        ${planeOf('$src')}
        (local.set $dst (i32.add (local.get $out) (i32.mul (local.get $p) (local.get $planeBytes))))
        ${eachTap(`(if (i32.ge_s (local.get $row) (i32.const 0))
              (then
                (local.set $d (i32.add (i32.add (local.get $dst) (local.get $row)) (i32.load offset=8 (local.get $kwAt))))
                (local.set $s (i32.add (local.get $plane) (i32.add
                  (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $KW)) (local.get $kw)) (local.get $sk))
                  (i32.mul (i32.add (i32.mul (local.get $oh) (local.get $OW)) (local.get $lo)) (local.get $sp)))))
                (local.set $end (i32.sub (local.get $hi) (local.get $lo)))
                (if (local.get $vec)
                  (then
                    (block $vdone
                      (loop $vl
                        (br_if $vdone (i32.lt_s (local.get $end) (i32.const 4)))
                        (v128.store (local.get $d) (f32x4.add (v128.load (local.get $d)) (v128.load (local.get $s))))
                        (local.set $d (i32.add (local.get $d) (i32.const 16)))
                        (local.set $s (i32.add (local.get $s) (i32.const 16)))
                        (local.set $end (i32.sub (local.get $end) (i32.const 4)))
                        (br $vl)))))
                (block $sdone
                  (loop $sl
                    (br_if $sdone (i32.le_s (local.get $end) (i32.const 0)))
                    (f32.store (local.get $d) (f32.add (f32.load (local.get $d)) (f32.load (local.get $s))))
                    (local.set $d (i32.add (local.get $d) (local.get $strW)))
                    (local.set $s (i32.add (local.get $s) (local.get $sp)))
                    (local.set $end (i32.sub (local.get $end) (i32.const 1)))
                    (br $sl)))))`)}
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pll))))`;
}

/**
 * Loops over rows: for row r, `$a`/`$b`/`$c` hold the byte addresses read from the row
 * tables `$as`/`$bs`/`$cs`, and `body` runs once per vector with `$out` advanced by
 * `outStep` bytes each time.
 */
function rowLoop(name, params, tables, body, outStep, inSteps) {
  const setRow = tables
    .map(
      (t) =>
        `\n      (local.set $${t} (i32.load (i32.add (local.get $${t}s) (i32.shl (local.get $r) (i32.const 2)))))`,
    )
    .join('');
  const advance = tables
    .map((t) => `\n        (local.set $${t} (i32.add (local.get $${t}) (i32.const ${inSteps[t]})))`)
    .join('');
  const locals = tables.map((t) => `(local $${t} i32)`).join(' ');
  return `
  (func (export "${name}") ${params} (param $out i32) (param $rows i32) (param $L i32)
    (local $r i32) (local $v i32) (local $nv i32) ${locals}
    (local.set $nv (i32.shr_u (i32.add (local.get $L) (i32.const 3)) (i32.const 2)))
    (loop $row${setRow}
      (local.set $v (i32.const 0))
      (loop $vec
        ${body}
        (local.set $out (i32.add (local.get $out) (i32.const ${outStep})))${advance}
        (local.set $v (i32.add (local.get $v) (i32.const 1)))
        (br_if $vec (i32.lt_u (local.get $v) (local.get $nv))))
      ;; back up over the padding lanes of the last vector
      (local.set $out (i32.sub (local.get $out)
        (i32.mul (i32.sub (i32.shl (local.get $nv) (i32.const 2)) (local.get $L)) (i32.const ${outStep / 4}))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $row (i32.lt_u (local.get $r) (local.get $rows)))))`;
}

const load = (t) => `(v128.load (local.get $${t}))`;

/**
 * The steps of operands `names` per vector, with the operand at index `scalar` (if any)
 * standing still: a broadcast scalar, read from one vector that holds it in every lane.
 */
function steps(names, step, scalar) {
  return Object.fromEntries(names.map((n, i) => [n, i === scalar ? 0 : step[i]]));
}

/** The export's name: `name`, or `name_s<i>` for the variant whose operand i is a broadcast scalar. */
const variant = (name, scalar) => (scalar === undefined ? name : `${name}_s${scalar}`);

function arith(name, expr, scalar) {
  return rowLoop(
    variant(`b_${name}`, scalar),
    '(param $as i32) (param $bs i32)',
    ['a', 'b'],
    `(v128.store (local.get $out) ${expr(load('a'), load('b'))})`,
    16,
    steps(['a', 'b'], [16, 16], scalar),
  );
}

/** Lane masks (all ones or zeros) narrowed to bytes 1 or 0, four of them stored at once. */
function compare(name, instr, scalar) {
  const mask = `(${instr} ${load('a')} ${load('b')})`;
  const bytes = `(i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s ${mask} (v128.const i32x4 0 0 0 0)) (v128.const i32x4 0 0 0 0))`;
  return rowLoop(
    variant(`b_${name}`, scalar),
    '(param $as i32) (param $bs i32)',
    ['a', 'b'],
    `(v128.store32_lane 0 (local.get $out) (v128.and ${bytes} (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)))`,
    4,
    steps(['a', 'b'], [16, 16], scalar),
  );
}

/** where(c, a, b): c holds bytes, nonzero picks a. */
function where(scalar) {
  const widen = '(i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $c))))';
  const mask = `(i32x4.ne ${widen} (v128.const i32x4 0 0 0 0))`;
  return rowLoop(
    variant('where', scalar),
    '(param $cs i32) (param $as i32) (param $bs i32)',
    ['c', 'a', 'b'],
    `(v128.store (local.get $out) (v128.bitselect ${load('a')} ${load('b')} ${mask}))`,
    16,
    steps(['c', 'a', 'b'], [4, 16, 16], scalar),
  );
}

/**
 * Adam without weight decay, AMSGrad or maximize, in place over ceil(n/4) vectors:
 *   m = m + (g - m) * w1;  v = v * beta2 + (g * g) * w2;
 *   p = p - (m / (sqrt(v) * invBias2Sqrt + eps)) * stepSize
 * in float32, operation for operation as the composite reference does it.
 */
function adam() {
  const lanes = (x) => `(f32x4.splat (local.get ${x}))`;
  return `
  (func (export "adam") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $w1 f32) (param $beta2 f32) (param $w2 f32) (param $eps f32) (param $step f32) (param $inv f32)
    (local $end i32) (local $gv v128) (local $mv v128) (local $vv v128)
    (local $W1 v128) (local $B2 v128) (local $W2 v128) (local $E v128) (local $S v128) (local $I v128)
    (local.set $W1 ${lanes('$w1')}) (local.set $B2 ${lanes('$beta2')}) (local.set $W2 ${lanes('$w2')})
    (local.set $E ${lanes('$eps')}) (local.set $S ${lanes('$step')}) (local.set $I ${lanes('$inv')})
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (loop $vec
      (local.set $gv (v128.load (local.get $g)))
      (local.set $mv (v128.load (local.get $m)))
      (local.set $mv (f32x4.add (local.get $mv)
        (f32x4.mul (f32x4.sub (local.get $gv) (local.get $mv)) (local.get $W1))))
      (local.set $vv (f32x4.add (f32x4.mul (v128.load (local.get $v)) (local.get $B2))
        (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $W2))))
      (v128.store (local.get $m) (local.get $mv))
      (v128.store (local.get $v) (local.get $vv))
      (v128.store (local.get $p) (f32x4.sub (v128.load (local.get $p))
        (f32x4.mul
          (f32x4.div (local.get $mv)
            (f32x4.add (f32x4.mul (f32x4.sqrt (local.get $vv)) (local.get $I)) (local.get $E)))
          (local.get $S))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (local.set $m (i32.add (local.get $m) (i32.const 16)))
      (local.set $v (i32.add (local.get $v) (i32.const 16)))
      (br_if $vec (i32.lt_u (local.get $p) (local.get $end)))))`;
}

/**
 * Column sums of a [rows, width] block: out[j] = sum over r of x[r][j], accumulated in
 * float64 in row order (as the TypeScript loop does) in `$acc` (width rounded up to 4
 * doubles), then rounded to float32. With `$zero` = 0 it adds to the sums `$acc` already
 * holds, so a long block can come in pieces of rows.
 */
function colsum() {
  const f64Add = (offset, lanes) => `
        (v128.store offset=${offset} (local.get $a)
          (f64x2.add (v128.load offset=${offset} (local.get $a)) (f64x2.promote_low_f32x4 ${lanes})))`;
  const high = '(i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))';
  return `
  (func (export "colsum") (param $x i32) (param $rows i32) (param $width i32) (param $acc i32) (param $out i32)
    (param $zero i32)
    (local $r i32) (local $a i32) (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $acc)
      (i32.shl (i32.and (i32.add (local.get $width) (i32.const 3)) (i32.const -4)) (i32.const 3))))
    (if (local.get $zero) (then
      (local.set $a (local.get $acc))
      (loop $clear
        (v128.store (local.get $a) (v128.const i32x4 0 0 0 0))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (br_if $clear (i32.lt_u (local.get $a) (local.get $end))))))
    (loop $row
      (local.set $a (local.get $acc))
      (loop $vec
        (local.set $v (v128.load (local.get $x)))${f64Add(0, '(local.get $v)')}${f64Add(16, high)}
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (br_if $vec (i32.lt_u (local.get $a) (local.get $end))))
      ;; back up over the padding lanes: the next row starts right after this one
      (local.set $x (i32.sub (local.get $x)
        (i32.shl (i32.sub (i32.and (i32.add (local.get $width) (i32.const 3)) (i32.const -4)) (local.get $width)) (i32.const 2))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $row (i32.lt_u (local.get $r) (local.get $rows))))
    (local.set $a (local.get $acc))
    (loop $down
      (v128.store64_lane 0 (local.get $out) (f32x4.demote_f64x2_zero (v128.load (local.get $a))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 8)))
      (br_if $down (i32.lt_u (local.get $a) (local.get $end)))))`;
}

// Row kernels (softmax, log-softmax, layer norm): rows of L contiguous values, one after another. A row is
// walked in whole vectors; the lanes of the last one past L are left out of every sum and max
// (`tailMask`), and what they store runs into the next row, which overwrites it, or past the
// last row into the caller's slack.

/** Lanes below `$tail` set (all ones), the rest clear: the live lanes of a row's last vector. */
const tailMask = '(i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (local.get $tail)))';

/** The sum of the four lanes of a vector, as (l0 + l1) + (l2 + l3). */
const hsum = (v) =>
  `(f32.add (f32.add (f32x4.extract_lane 0 ${v}) (f32x4.extract_lane 1 ${v}))
      (f32.add (f32x4.extract_lane 2 ${v}) (f32x4.extract_lane 3 ${v})))`;

/** Locals every row kernel declares: the row walk and `exp`'s scratch. */
const rowLocals = `(local $row i32) (local $i i32) (local $nv i32) (local $tail i32) (local $live v128)
    (local $t v128) (local $e v128) (local $r v128) (local $p v128) (local $k v128) (local $h v128)`;

/** Sets $nv (vectors per row, the last one partial when $tail > 0) and $live from $L. */
const rowSetup = `(local.set $nv (i32.shr_u (i32.add (local.get $L) (i32.const 3)) (i32.const 2)))
    (local.set $tail (i32.and (local.get $L) (i32.const 3)))
    (if (i32.eqz (local.get $tail)) (then (local.set $tail (i32.const 4))))
    (local.set $live ${tailMask})`;

/** `body` once per vector $i of a row (0 ≤ $i < $nv). */
const eachVector = (body) => `(local.set $i (i32.const 0))
      (loop $vec
        ${body}
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $vec (i32.lt_u (local.get $i) (local.get $nv))))`;

/** A vector's live lanes: all of them but on a row's last vector, where the rest become `fill`. */
const live = (v, fill) =>
  `(if (result v128) (i32.eq (i32.add (local.get $i) (i32.const 1)) (local.get $nv))
          (then (v128.bitselect ${v} ${fill} (local.get $live))) (else ${v}))`;

/** Byte address of vector $i of the row starting at `base`. */
const at = (base) => `(i32.add ${base} (i32.shl (local.get $i) (i32.const 4)))`;

/** Byte address of row $row of rows of $L floats from `base`. */
const rowAt = (base) =>
  `(i32.add (local.get ${base}) (i32.shl (i32.mul (local.get $row) (local.get $L)) (i32.const 2)))`;

/**
 * A kernel `name` over rows of $L floats: one i32 parameter per array of `arrays` (its
 * current row's address in the local of the same name plus `r`), then $rows and $L; `locals`
 * besides the row walk's; `perRow` runs once per row.
 */
function rowKernel(name, arrays, locals, perRow) {
  return `
  (func (export "${name}") ${arrays.map((a) => `(param $${a} i32)`).join(' ')} (param $rows i32) (param $L i32)
    ${rowLocals} ${arrays.map((a) => `(local $${a}r i32)`).join(' ')} (local $acc v128) ${locals}
    ${rowSetup}
    (loop $rowl
      ${arrays.map((a) => `(local.set $${a}r ${rowAt(`$${a}`)})`).join('\n      ')}
      ${perRow}
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br_if $rowl (i32.lt_u (local.get $row) (local.get $rows)))))`;
}

/** The row's vector $i of the array whose row address is in local `r`. */
const rowVector = (r) => `(v128.load ${at(`(local.get ${r})`)})`;

/** Sets $acc to the sum of `v` over the row's vectors (their dead lanes left out); `each` runs first on every vector. */
const rowSum = (v, each = '') => `(local.set $acc (v128.const i32x4 0 0 0 0))
      ${eachVector(`${each}(local.set $acc (f32x4.add (local.get $acc) ${live(v, splat(0))}))`)}`;

/** The max of the row at $xr, in all four lanes of `m` (dead lanes left out). */
const rowMax = (m) => `(local.set $acc ${splat('-inf')})
      ${eachVector(`(local.set $acc (f32x4.max (local.get $acc) ${live(rowVector('$xr'), splat('-inf'))}))`)}
      (local.set ${m} (f32x4.splat (f32.max (f32.max (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.max (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))))`;

/**
 * softmax over each row: m = max(x), e = exp(x - m), out = e · (1 / Σe). A row of
 * -Infinity gives NaN, as in PyTorch.
 */
function softmax() {
  return rowKernel(
    'softmax',
    ['x', 'out'],
    '(local $m v128) (local $inv v128)',
    `${rowMax('$m')}
      ${rowSum(
        '(local.get $h)',
        `(local.set $h ${exp(`(f32x4.sub ${rowVector('$xr')} (local.get $m))`)})
        (v128.store ${at('(local.get $outr)')} (local.get $h))`,
      )}
      (local.set $inv (f32x4.splat (f32.div (f32.const 1) ${hsum('(local.get $acc)')})))
      ${eachVector(`(v128.store ${at('(local.get $outr)')} (f32x4.mul ${rowVector('$outr')} (local.get $inv)))`)}`,
  );
}

/** The gradient of softmax over each row: out = y · (g − Σ g·y). */
function softmaxBackward() {
  return rowKernel(
    'softmax_bw',
    ['y', 'g', 'out'],
    '(local $dot v128)',
    `${rowSum(`(f32x4.mul ${rowVector('$yr')} ${rowVector('$gr')})`)}
      (local.set $dot (f32x4.splat ${hsum('(local.get $acc)')}))
      ${eachVector(`(v128.store ${at('(local.get $outr)')} (f32x4.mul ${rowVector('$yr')}
          (f32x4.sub ${rowVector('$gr')} (local.get $dot))))`)}`,
  );
}

/**
 * ln(v) in float64 for the row sums of log-softmax (v ≥ 1, or NaN, which stays NaN; +Infinity
 * stays +Infinity): v = 2^k·m with m in [√½, √2), and ln m = 2·atanh(t), t = (m − 1)/(m + 1),
 * from its odd series to t^15, which for |t| < 0.172 leaves an error near 1e-14, far below
 * float32's resolution.
 */
function ln() {
  const terms = [2 / 3, 2 / 5, 2 / 7, 2 / 9, 2 / 11, 2 / 13, 2 / 15];
  let series = '(f64.const 0)';
  for (const c of terms.reverse()) series = `(f64.mul (local.get $t2) (f64.add (f64.const ${c}) ${series}))`;
  return `
  (func $ln (param $v f64) (result f64) (local $bits i64) (local $k f64) (local $m f64) (local $t f64) (local $t2 f64)
    (if (i32.eqz (f64.lt (local.get $v) (f64.const inf))) (then (return (local.get $v))))
    (local.set $bits (i64.reinterpret_f64 (local.get $v)))
    (local.set $k (f64.convert_i64_s (i64.sub (i64.shr_u (local.get $bits) (i64.const 52)) (i64.const 1023))))
    (local.set $m (f64.reinterpret_i64 (i64.or (i64.and (local.get $bits) (i64.const 0x000fffffffffffff))
      (i64.const 0x3ff0000000000000))))
    (if (f64.gt (local.get $m) (f64.const ${Math.SQRT2}))
      (then (local.set $m (f64.mul (local.get $m) (f64.const 0.5)))
        (local.set $k (f64.add (local.get $k) (f64.const 1)))))
    (local.set $t (f64.div (f64.sub (local.get $m) (f64.const 1)) (f64.add (local.get $m) (f64.const 1))))
    (local.set $t2 (f64.mul (local.get $t) (local.get $t)))
    (f64.add (f64.mul (local.get $k) (f64.const ${Math.LN2}))
      (f64.mul (local.get $t) (f64.add (f64.const 2) ${series}))))`;
}

/**
 * log-softmax over each row: m = max(x), out = (x − m) − ln Σ e^(x − m). A row whose max is
 * infinite gives NaN, as the composite does.
 */
function logSoftmax() {
  return rowKernel(
    'logsoftmax',
    ['x', 'out'],
    '(local $m v128) (local $lse v128)',
    `${rowMax('$m')}
      ${rowSum(exp(`(f32x4.sub ${rowVector('$xr')} (local.get $m))`))}
      (local.set $lse (f32x4.splat (f32.demote_f64 (call $ln (f64.promote_f32 ${hsum('(local.get $acc)')})))))
      ${eachVector(`(v128.store ${at('(local.get $outr)')}
          (f32x4.sub (f32x4.sub ${rowVector('$xr')} (local.get $m)) (local.get $lse)))`)}`,
  );
}

/** The gradient of log-softmax over each row from its output y: out = g − e^y · Σ g. */
function logSoftmaxBackward() {
  return rowKernel(
    'logsoftmax_bw',
    ['y', 'g', 'out'],
    '(local $total v128)',
    `${rowSum(rowVector('$gr'))}
      (local.set $total (f32x4.splat ${hsum('(local.get $acc)')}))
      ${eachVector(`(v128.store ${at('(local.get $outr)')} (f32x4.sub ${rowVector('$gr')}
          (f32x4.mul ${exp(rowVector('$yr'))} (local.get $total))))`)}`,
  );
}

/**
 * Layer norm over each row: mean μ = Σx / L, variance σ² = Σ(x − μ)² / L, then
 * out = (x − μ)·r·w + b with r = 1 / √(σ² + eps); w and b are rows of L (address 0: none).
 * μ and r of row i go to stats[2i], stats[2i + 1].
 */
function layerNorm() {
  return `
  (func (export "layernorm") (param $x i32) (param $w i32) (param $b i32) (param $out i32) (param $stats i32)
    (param $rows i32) (param $L i32) (param $eps f32)
    ${rowLocals} (local $xr i32) (local $or i32) (local $acc v128) (local $mean f32) (local $rstd f32)
    (local $mv v128) (local $rv v128) (local $d v128)
    ${rowSetup}
    (loop $rowl
      (local.set $xr ${rowAt('$x')})
      (local.set $or ${rowAt('$out')})
      (local.set $acc (v128.const i32x4 0 0 0 0))
      ${eachVector(`(local.set $acc (f32x4.add (local.get $acc) ${live(`(v128.load ${at('(local.get $xr)')})`, splat(0))}))`)}
      (local.set $mean (f32.div ${hsum('(local.get $acc)')} (f32.convert_i32_u (local.get $L))))
      (local.set $mv (f32x4.splat (local.get $mean)))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      ${eachVector(`(local.set $d (f32x4.sub (v128.load ${at('(local.get $xr)')}) (local.get $mv)))
        (local.set $acc (f32x4.add (local.get $acc) ${live('(f32x4.mul (local.get $d) (local.get $d))', splat(0))}))`)}
      (local.set $rstd (f32.div (f32.const 1) (f32.sqrt (f32.add
        (f32.div ${hsum('(local.get $acc)')} (f32.convert_i32_u (local.get $L))) (local.get $eps)))))
      (local.set $rv (f32x4.splat (local.get $rstd)))
      (f32.store (i32.add (local.get $stats) (i32.shl (local.get $row) (i32.const 3))) (local.get $mean))
      (f32.store offset=4 (i32.add (local.get $stats) (i32.shl (local.get $row) (i32.const 3))) (local.get $rstd))
      ${eachVector(`(local.set $d (f32x4.mul (f32x4.sub (v128.load ${at('(local.get $xr)')}) (local.get $mv)) (local.get $rv)))
        (if (local.get $w) (then (local.set $d (f32x4.mul (local.get $d) (v128.load ${at('(local.get $w)')})))))
        (if (local.get $b) (then (local.set $d (f32x4.add (local.get $d) (v128.load ${at('(local.get $b)')})))))
        (v128.store ${at('(local.get $or)')} (local.get $d))`)}
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br_if $rowl (i32.lt_u (local.get $row) (local.get $rows)))))`;
}

/**
 * The gradient of layer norm over each row, from its stats (μ, r): with x̂ = (x − μ)·r and
 * ĝ = g·w (g without w), dx = r·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)). With $gw / $gb nonzero it
 * also adds g·x̂ and g into those rows of L (the weight's and bias's gradients, summed over
 * rows in float32; the lanes past L get zeros added).
 */
function layerNormBackward() {
  const xhat = `(local.set $xh (f32x4.mul (f32x4.sub (v128.load ${at('(local.get $xr)')}) (local.get $mv)) (local.get $rv)))
        (local.set $gv (v128.load ${at('(local.get $gr)')}))
        (local.set $gh (if (result v128) (local.get $w)
          (then (f32x4.mul (local.get $gv) (v128.load ${at('(local.get $w)')}))) (else (local.get $gv))))`;
  return `
  (func (export "layernorm_bw") (param $g i32) (param $x i32) (param $w i32) (param $stats i32) (param $dx i32)
    (param $gw i32) (param $gb i32) (param $rows i32) (param $L i32)
    ${rowLocals} (local $xr i32) (local $gr i32) (local $or i32) (local $sa v128) (local $sc v128)
    (local $mv v128) (local $rv v128) (local $xh v128) (local $gv v128) (local $gh v128) (local $n f32)
    ${rowSetup}
    (local.set $n (f32.convert_i32_u (local.get $L)))
    (loop $rowl
      (local.set $xr ${rowAt('$x')})
      (local.set $gr ${rowAt('$g')})
      (local.set $or ${rowAt('$dx')})
      (local.set $mv (f32x4.splat (f32.load (i32.add (local.get $stats) (i32.shl (local.get $row) (i32.const 3))))))
      (local.set $rv (f32x4.splat (f32.load offset=4 (i32.add (local.get $stats) (i32.shl (local.get $row) (i32.const 3))))))
      (local.set $sa (v128.const i32x4 0 0 0 0))
      (local.set $sc (v128.const i32x4 0 0 0 0))
      ${eachVector(`${xhat}
        (local.set $sa (f32x4.add (local.get $sa) ${live('(local.get $gh)', splat(0))}))
        (local.set $sc (f32x4.add (local.get $sc) ${live('(f32x4.mul (local.get $gh) (local.get $xh))', splat(0))}))
        (if (local.get $gw) (then (v128.store ${at('(local.get $gw)')}
          (f32x4.add (v128.load ${at('(local.get $gw)')}) ${live('(f32x4.mul (local.get $gv) (local.get $xh))', splat(0))}))))
        (if (local.get $gb) (then (v128.store ${at('(local.get $gb)')}
          (f32x4.add (v128.load ${at('(local.get $gb)')}) ${live('(local.get $gv)', splat(0))}))))`)}
      (local.set $sa (f32x4.splat (f32.div ${hsum('(local.get $sa)')} (local.get $n))))
      (local.set $sc (f32x4.splat (f32.div ${hsum('(local.get $sc)')} (local.get $n))))
      ${eachVector(`${xhat}
        (v128.store ${at('(local.get $or)')} (f32x4.mul (local.get $rv)
          (f32x4.sub (f32x4.sub (local.get $gh) (local.get $sa)) (f32x4.mul (local.get $xh) (local.get $sc)))))`)}
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br_if $rowl (i32.lt_u (local.get $row) (local.get $rows)))))`;
}

// LSTM cell: B rows of H values per gate (H a multiple of 4), gates in PyTorch's order
// (input, forget, cell, output), each operand with its own row stride in floats.

/** Locals of the LSTM kernels: the row walk and the scratch of `exp`, `sigmoid` and `tanh`. */
const cellLocals = `(local $row i32) (local $j i32) (local $hb i32)
    (local $t v128) (local $e v128) (local $r v128) (local $p v128) (local $k v128) (local $h v128)
    (local $q v128) (local $a v128) (local $s v128) (local $z v128)`;

/** Byte address of vector $j of gate `k` in the row at local `base`. */
const gate = (base, k) =>
  `(i32.add (local.get ${base}) (i32.add (local.get $j) (i32.mul (local.get $hb) (i32.const ${k}))))`;

/** Byte address of row $row of a matrix at local `base` whose rows are `stride` floats apart. */
const rowOf = (base, stride) =>
  `(i32.add (local.get ${base}) (i32.shl (i32.mul (local.get $row) ${stride}) (i32.const 2)))`;

/**
 * One LSTM step: with gates = gx + gh, i = σ, f = σ, g = tanh, o = σ of the four gates,
 * c' = f·c + i·g and h = o·tanh(c'). Writes hc = [h | c'] (rows of 2H) and the activations
 * (i, f, g, o) (rows of 4H), which the gradient reads.
 */
function lstmForward() {
  const pre = (k) => `(f32x4.add (v128.load ${gate('$xr', k)}) (v128.load ${gate('$yr', k)}))`;
  return `
  (func (export "lstm_fwd") (param $gx i32) (param $gxs i32) (param $gh i32) (param $ghs i32) (param $c i32)
    (param $cs i32) (param $hc i32) (param $acts i32) (param $B i32) (param $H i32)
    ${cellLocals} (local $xr i32) (local $yr i32) (local $cr i32) (local $or i32) (local $ar i32)
    (local $vi v128) (local $vf v128) (local $vg v128) (local $vo v128) (local $vc v128)
    (local.set $hb (i32.shl (local.get $H) (i32.const 2)))
    (loop $rowl
      (local.set $xr ${rowOf('$gx', '(local.get $gxs)')})
      (local.set $yr ${rowOf('$gh', '(local.get $ghs)')})
      (local.set $cr ${rowOf('$c', '(local.get $cs)')})
      (local.set $or ${rowOf('$hc', '(i32.shl (local.get $H) (i32.const 1))')})
      (local.set $ar ${rowOf('$acts', '(i32.shl (local.get $H) (i32.const 2))')})
      (local.set $j (i32.const 0))
      (loop $vec
        (local.set $vi ${sigmoid(pre(0))})
        (local.set $vf ${sigmoid(pre(1))})
        (local.set $vg ${tanh(pre(2))})
        (local.set $vo ${sigmoid(pre(3))})
        (v128.store ${gate('$ar', 0)} (local.get $vi))
        (v128.store ${gate('$ar', 1)} (local.get $vf))
        (v128.store ${gate('$ar', 2)} (local.get $vg))
        (v128.store ${gate('$ar', 3)} (local.get $vo))
        (local.set $vc (f32x4.add (f32x4.mul (local.get $vf) (v128.load ${gate('$cr', 0)}))
          (f32x4.mul (local.get $vi) (local.get $vg))))
        (v128.store ${gate('$or', 1)} (local.get $vc))
        (v128.store ${gate('$or', 0)} (f32x4.mul (local.get $vo) ${tanh('(local.get $vc)')}))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br_if $vec (i32.lt_u (local.get $j) (local.get $hb))))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br_if $rowl (i32.lt_u (local.get $row) (local.get $B)))))`;
}

/**
 * The gradient of one LSTM step from its activations, the previous c, its output hc = [h | c']
 * and the gradient g of hc (rows `gs` floats apart): with t = tanh(c') and
 * dc' = g_c + g_h·o·(1 − t²), the gates get (dc'·g·i(1 − i), dc'·c·f(1 − f), dc'·i·(1 − g²),
 * g_h·t·o(1 − o)) (rows of 4H) and the previous c gets dc'·f (rows of H).
 */
function lstmBackward() {
  const one = splat(1);
  return `
  (func (export "lstm_bwd") (param $acts i32) (param $c i32) (param $cs i32) (param $hc i32) (param $g i32)
    (param $gs i32) (param $dg i32) (param $dc i32) (param $B i32) (param $H i32)
    ${cellLocals} (local $ar i32) (local $cr i32) (local $or i32) (local $gr i32) (local $dr i32) (local $er i32)
    (local $vi v128) (local $vf v128) (local $vg v128) (local $vo v128) (local $tc v128) (local $gh v128) (local $d v128)
    (local.set $hb (i32.shl (local.get $H) (i32.const 2)))
    (loop $rowl
      (local.set $ar ${rowOf('$acts', '(i32.shl (local.get $H) (i32.const 2))')})
      (local.set $cr ${rowOf('$c', '(local.get $cs)')})
      (local.set $or ${rowOf('$hc', '(i32.shl (local.get $H) (i32.const 1))')})
      (local.set $gr ${rowOf('$g', '(local.get $gs)')})
      (local.set $dr ${rowOf('$dg', '(i32.shl (local.get $H) (i32.const 2))')})
      (local.set $er ${rowOf('$dc', '(local.get $H)')})
      (local.set $j (i32.const 0))
      (loop $vec
        (local.set $vi (v128.load ${gate('$ar', 0)}))
        (local.set $vf (v128.load ${gate('$ar', 1)}))
        (local.set $vg (v128.load ${gate('$ar', 2)}))
        (local.set $vo (v128.load ${gate('$ar', 3)}))
        (local.set $tc ${tanh(`(v128.load ${gate('$or', 1)})`)})
        (local.set $gh (v128.load ${gate('$gr', 0)}))
        (local.set $d (f32x4.add (v128.load ${gate('$gr', 1)})
          (f32x4.mul (f32x4.mul (local.get $gh) (local.get $vo))
            (f32x4.sub ${one} (f32x4.mul (local.get $tc) (local.get $tc))))))
        (v128.store ${gate('$er', 0)} (f32x4.mul (local.get $d) (local.get $vf)))
        (v128.store ${gate('$dr', 0)} (f32x4.mul (f32x4.mul (local.get $d) (local.get $vg))
          (f32x4.mul (local.get $vi) (f32x4.sub ${one} (local.get $vi)))))
        (v128.store ${gate('$dr', 1)} (f32x4.mul (f32x4.mul (local.get $d) (v128.load ${gate('$cr', 0)}))
          (f32x4.mul (local.get $vf) (f32x4.sub ${one} (local.get $vf)))))
        (v128.store ${gate('$dr', 2)} (f32x4.mul (f32x4.mul (local.get $d) (local.get $vi))
          (f32x4.sub ${one} (f32x4.mul (local.get $vg) (local.get $vg)))))
        (v128.store ${gate('$dr', 3)} (f32x4.mul (f32x4.mul (local.get $gh) (local.get $tc))
          (f32x4.mul (local.get $vo) (f32x4.sub ${one} (local.get $vo)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br_if $vec (i32.lt_u (local.get $j) (local.get $hb))))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br_if $rowl (i32.lt_u (local.get $row) (local.get $B)))))`;
}

/** The whole module as WebAssembly text. */
export function elementwiseWat() {
  return `;; Generated by elementwise-wat.mjs: float32 elementwise and optimizer loops with SIMD128.
(module
  (import "env" "memory" (memory 1 65536 shared))
${Object.entries(UNARY)
  .map(([n, f]) => unary(n, f))
  .join('\n')}
${unary('exp', exp)}
${unary('sigmoid', sigmoid)}
${unary('tanh', tanh)}
${[undefined, 0, 1]
  .flatMap((scalar) => Object.entries(ARITH).map(([n, f]) => arith(n, f, scalar)))
  .join('\n')}
${[undefined, 0, 1]
  .flatMap((scalar) => Object.entries(COMPARE).map(([n, i]) => compare(n, i, scalar)))
  .join('\n')}
${[undefined, 1, 2].map((scalar) => where(scalar)).join('\n')}
${fill()}
${copyRows()}
${im2col()}
${col2im()}
${sumAt()}
${argAt()}
${argDim()}
${colsum()}
${adam()}
${softmax()}
${softmaxBackward()}
${ln()}
${logSoftmax()}
${logSoftmaxBackward()}
${layerNorm()}
${layerNormBackward()}
${lstmForward()}
${lstmBackward()}
)
`;
}
