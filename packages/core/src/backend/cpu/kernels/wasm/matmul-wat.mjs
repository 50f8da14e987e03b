// Source of the WebAssembly SIMD128 float32 matmul kernel.
//
// This module emits WebAssembly text (WAT). The hot inner loops are fully unrolled, so
// writing them out by hand would be long and error-prone; the generator below spells out
// every instruction in a readable form instead. `scripts/build-wasm.mjs` assembles the
// text with wabt and writes `matmul-wasm.gen.ts`.
//
// Algorithm (the classic Goto/BLIS scheme):
//   1. pack A into MR-row panels, layout [panel][k][MR] (rows past M are zero);
//   2. pack B into NR-column panels, layout [panel][k][NR] (columns past N are zero);
//   3. each output tile loops over K in KC-deep blocks; inside a block it walks the
//      NR-wide B panels (one KC x NR micro-panel stays in L1) and, for each of them, the
//      MR-tall A panels, calling the MR x NR register-blocked micro-kernel.
// The output buffer is padded to a multiple of MR rows and NR columns, so the
// micro-kernel never needs an edge case.
//
// Every output element is accumulated by the same micro-kernel in the same order
// (k ascending within a block, blocks ascending), whatever the tiling or the number of
// threads, so results do not depend on how the work is split.
//
// The micro-kernel is MR=4 rows by NR=8 columns: 8 accumulators, 2 B vectors and 4
// broadcast A values stay in 14 of the 15 XMM registers V8 hands out, with no spills.
// Wider tiles (5x8, 6x8, 3x12) make V8's register allocator spill an accumulator and
// run at about half the speed.
//
// `matmulWat({ relaxed: true })` adds a second micro-kernel and `compute_tile_fma`, which
// accumulate with the relaxed-SIMD fused multiply-add `f32x4.relaxed_madd` (one rounding per
// step instead of two; on x86 with FMA3 one instruction instead of two). That module only
// validates where the engine has relaxed SIMD, so the plain one is built too and kept as the
// fallback; both pack alike and visit k in the same order.

export const MR = 4;
export const NR = 8;
export const KC = 256;

// Byte offsets in linear memory. The first 64 bytes are the thread control block,
// owned by the JavaScript side (see matmul.ts); the job descriptor follows.
export const DESC = 64;
export const FIELDS = [
  'A', // source of A (byte address)
  'A_BS', // batch stride of A in bytes (0 = broadcast); of its outer batches when A_IB > 1
  'A_RS', // row stride of A in bytes
  'A_CS', // column stride of A in bytes
  'B',
  'B_BS',
  'B_RS',
  'B_CS',
  'PA', // packed A
  'PA_BS', // packed A bytes per batch (0 = broadcast)
  'PB', // packed B
  'PB_BS',
  'C', // output, padded: MP x NP floats per batch
  'C_BS', // bytes per output batch
  'LDC', // output row stride in bytes (NP * 4)
  'M',
  'N',
  'K',
  'MP', // M rounded up to MR
  'NP', // N rounded up to NR
  'A_BATCHES', // number of distinct A matrices (1 when broadcast)
  'B_BATCHES',
  'PA_GROUP', // A panels per pack tile
  'PB_GROUP', // B panels per pack tile
  'A_PTILES', // pack tiles per A batch
  'B_PTILES', // pack tiles per B batch
  'TM', // rows per compute tile (multiple of MR)
  'TN', // columns per compute tile (multiple of NR)
  'TILES_M', // compute tiles along M
  'TILES_N', // compute tiles along N
  'A_IB', // A's batches per outer batch (1: one level, batch bt at A + bt * A_BS)
  'A_IS', // stride in bytes between the batches of one outer batch of A
  'B_IB',
  'B_IS',
  'BIAS', // bias row added to every output row (NP floats, byte address), 0 for none
];
export const FIELD = Object.fromEntries(FIELDS.map((name, i) => [name, DESC + 4 * i]));
export const DESC_END = DESC + 4 * FIELDS.length;

const d = (name) => `(i32.load (i32.const ${FIELD[name]}))`;

/** Byte index of i32x4 lanes for i8x16.shuffle. */
function lanes(...l) {
  return l.flatMap((x) => [4 * x, 4 * x + 1, 4 * x + 2, 4 * x + 3]).join(' ');
}

/**
 * 4x4 transpose of the vectors in locals `src[0..3]` into locals `dst[0..3]`, using
 * `tmp[0..3]` as scratch. After it, dst[j] lane i = src[i] lane j.
 */
function transpose4(src, dst, tmp) {
  const [r0, r1, r2, r3] = src.map((s) => `(local.get ${s})`);
  const t = tmp.map((s) => `(local.get ${s})`);
  return `
      (local.set ${tmp[0]} (i8x16.shuffle ${lanes(0, 4, 1, 5)} ${r0} ${r1}))
      (local.set ${tmp[1]} (i8x16.shuffle ${lanes(0, 4, 1, 5)} ${r2} ${r3}))
      (local.set ${tmp[2]} (i8x16.shuffle ${lanes(2, 6, 3, 7)} ${r0} ${r1}))
      (local.set ${tmp[3]} (i8x16.shuffle ${lanes(2, 6, 3, 7)} ${r2} ${r3}))
      (local.set ${dst[0]} (i8x16.shuffle ${lanes(0, 1, 4, 5)} ${t[0]} ${t[1]}))
      (local.set ${dst[1]} (i8x16.shuffle ${lanes(2, 3, 6, 7)} ${t[0]} ${t[1]}))
      (local.set ${dst[2]} (i8x16.shuffle ${lanes(0, 1, 4, 5)} ${t[2]} ${t[3]}))
      (local.set ${dst[3]} (i8x16.shuffle ${lanes(2, 3, 6, 7)} ${t[2]} ${t[3]}))`;
}

/**
 * Micro-kernel: C[0:MR, 0:NR] (row stride $ldc bytes) = (or +=, when $acc != 0)
 * sum over k < $kc of Apanel[k][0:MR] (outer) Bpanel[k][0:NR], then plus the NR floats at
 * $bias in each row when $bias != 0 (the last block of an `addmm`); `fma` fuses each
 * multiply-add (`$micro_fma`). With $acc the accumulators start from C and the products are
 * added onto them: adding C after the loop instead needed 8 more registers there, and V8 then
 * stored one accumulator to the stack on every k (about 2 % of the kernel's speed).
 */
function microKernel(fma) {
  const NV = NR / 4;
  const acc = (r, v) => `$c${r}_${v}`;
  let locals = '';
  for (let r = 0; r < MR; r++) for (let v = 0; v < NV; v++) locals += ` (local ${acc(r, v)} v128)`;
  for (let v = 0; v < NV; v++) locals += ` (local $b${v} v128)`;
  locals += ' (local $av v128) (local $aend i32) (local $row i32)';
  let step = '';
  for (let v = 0; v < NV; v++)
    step += `\n      (local.set $b${v} (v128.load offset=${16 * v} (local.get $b)))`;
  for (let r = 0; r < MR; r++) {
    step += `\n      (local.set $av (v128.load32_splat offset=${4 * r} (local.get $a)))`;
    for (let v = 0; v < NV; v++) {
      const c = acc(r, v);
      step += fma
        ? `\n      (local.set ${c} (f32x4.relaxed_madd (local.get $av) (local.get $b${v}) (local.get ${c})))`
        : `\n      (local.set ${c} (f32x4.add (local.get ${c}) (f32x4.mul (local.get $av) (local.get $b${v}))))`;
    }
  }
  let addC = '';
  let addBias = '';
  for (let v = 0; v < NV; v++)
    addBias += `\n      (local.set $b${v} (v128.load offset=${16 * v} (local.get $bias)))`;
  for (let r = 0; r < MR; r++) {
    for (let v = 0; v < NV; v++) {
      const c = acc(r, v);
      addBias += `\n      (local.set ${c} (f32x4.add (local.get ${c}) (local.get $b${v})))`;
    }
  }
  let store = '';
  for (let r = 0; r < MR; r++) {
    const row = r === 0 ? '(local.get $c)' : '(local.get $row)';
    if (r > 0) {
      addC += `\n      (local.set $row (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const ${r}))))`;
      store += `\n    (local.set $row (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const ${r}))))`;
    }
    for (let v = 0; v < NV; v++) {
      const c = acc(r, v);
      addC += `\n      (local.set ${c} (v128.load offset=${16 * v} ${row}))`;
      store += `\n    (v128.store offset=${16 * v} ${row} (local.get ${c}))`;
    }
  }
  return `
  (func $micro${fma ? '_fma' : ''} (param $a i32) (param $b i32) (param $c i32) (param $kc i32) (param $ldc i32) (param $acc i32) (param $bias i32)${locals}
    (if (local.get $acc) (then${addC}))
    (local.set $aend (i32.add (local.get $a) (i32.mul (local.get $kc) (i32.const ${4 * MR}))))
    (loop $k${step}
      (local.set $a (i32.add (local.get $a) (i32.const ${4 * MR})))
      (local.set $b (i32.add (local.get $b) (i32.const ${4 * NR})))
      (br_if $k (i32.ne (local.get $a) (local.get $aend))))
    (if (local.get $bias) (then${addBias}))${store})`;
}

/**
 * Pack one A panel: rows [0, $rows) of the matrix at $src (strides $rs/$cs in bytes),
 * all $kk columns, into $dst with layout [k][MR]; rows past $rows are zero.
 */
function packA() {
  const rowsV = ['$r0', '$r1', '$r2', '$r3'];
  const outV = ['$o0', '$o1', '$o2', '$o3'];
  const tmpV = ['$t0', '$t1', '$t2', '$t3'];
  const decl = [...rowsV, ...outV, ...tmpV].map((v) => `(local ${v} v128)`).join(' ');
  let loads = '';
  for (let r = 0; r < 4; r++) {
    loads += `\n        (local.set ${rowsV[r]} (v128.load (i32.add (local.get $p) (i32.mul (local.get $rs) (i32.const ${r})))))`;
  }
  let stores = '';
  for (let j = 0; j < 4; j++)
    stores += `\n        (v128.store offset=${16 * j} (local.get $dst) (local.get ${outV[j]}))`;
  return `
  (func $pack_a (param $dst i32) (param $src i32) (param $rs i32) (param $cs i32) (param $rows i32) (param $kk i32)
    (local $k i32) (local $p i32) (local $r i32) ${decl}
    (if (i32.eq (local.get $rows) (i32.const 4))
      (then
        ;; rows contiguous in memory (the transposed-A case): one vector per k
        (if (i32.eq (local.get $rs) (i32.const 4))
          (then
            (local.set $p (local.get $src))
            (loop $k1
              (if (i32.lt_u (local.get $k) (local.get $kk)) (then
                (v128.store (local.get $dst) (v128.load (local.get $p)))
                (local.set $p (i32.add (local.get $p) (local.get $cs)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $k1))))
            (return)))
        ;; row-major A: read 4 columns of each row, transpose 4x4
        (if (i32.eq (local.get $cs) (i32.const 4))
          (then
            (local.set $p (local.get $src))
            (loop $k4
              (if (i32.le_u (i32.add (local.get $k) (i32.const 4)) (local.get $kk)) (then${loads}${transpose4(rowsV, outV, tmpV)}${stores}
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $k4))))))))
    ;; general strides, partial panels and the remaining columns
    (loop $kg
      (if (i32.lt_u (local.get $k) (local.get $kk)) (then
        (local.set $r (i32.const 0))
        (loop $rg
          (f32.store (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2)))
            (if (result f32) (i32.lt_u (local.get $r) (local.get $rows))
              (then (f32.load (i32.add (local.get $src)
                (i32.add (i32.mul (local.get $r) (local.get $rs)) (i32.mul (local.get $k) (local.get $cs))))))
              (else (f32.const 0))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $rg (i32.lt_u (local.get $r) (i32.const 4))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kg)))))`;
}

/**
 * Pack four consecutive full A panels whose rows are adjacent in memory (row stride 4
 * bytes, the transposed-A case): each k reads 64 contiguous bytes. Panels are $kk*16
 * bytes apart in $dst.
 */
function packA4() {
  let body = '';
  for (let j = 0; j < 4; j++) {
    const dst =
      j === 0 ? '(local.get $dst)' : `(i32.add (local.get $dst) (i32.mul (local.get $ps) (i32.const ${j})))`;
    body += `\n        (v128.store ${dst} (v128.load offset=${16 * j} (local.get $src)))`;
  }
  return `
  (func $pack_a4 (param $dst i32) (param $src i32) (param $cs i32) (param $kk i32)
    (local $ps i32) (local $end i32)
    (local.set $ps (i32.shl (local.get $kk) (i32.const 4)))
    (local.set $end (i32.add (local.get $dst) (local.get $ps)))
    (loop $k${body}
      (local.set $src (i32.add (local.get $src) (local.get $cs)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br_if $k (i32.lt_u (local.get $dst) (local.get $end)))))`;
}

/**
 * Pack one B panel: columns [0, $cols) of the matrix at $src (strides $rs/$cs in bytes),
 * all $kk rows, into $dst with layout [k][NR]; columns past $cols are zero.
 */
function packB() {
  const cv = (i) => `$v${i}`;
  const outV = ['$o0', '$o1', '$o2', '$o3'];
  const tmpV = ['$t0', '$t1', '$t2', '$t3'];
  const decl = [...Array.from({ length: 8 }, (_, i) => cv(i)), ...outV, ...tmpV]
    .map((v) => `(local ${v} v128)`)
    .join(' ');
  let loads = '';
  for (let c = 0; c < 8; c++) {
    loads += `\n        (local.set ${cv(c)} (v128.load (i32.add (local.get $p) (i32.mul (local.get $cs) (i32.const ${c})))))`;
  }
  let body = loads;
  for (let h = 0; h < 2; h++) {
    body += transpose4(
      [0, 1, 2, 3].map((c) => cv(4 * h + c)),
      outV,
      tmpV,
    );
    for (let j = 0; j < 4; j++) {
      body += `\n        (v128.store offset=${32 * j + 16 * h} (local.get $dst) (local.get ${outV[j]}))`;
    }
  }
  return `
  (func $pack_b (param $dst i32) (param $src i32) (param $rs i32) (param $cs i32) (param $cols i32) (param $kk i32)
    (local $k i32) (local $p i32) (local $c i32) ${decl}
    (if (i32.eq (local.get $cols) (i32.const 8))
      (then
        ;; row-major B: two vectors per k
        (if (i32.eq (local.get $cs) (i32.const 4))
          (then
            (local.set $p (local.get $src))
            (loop $k1
              (if (i32.lt_u (local.get $k) (local.get $kk)) (then
                (v128.store (local.get $dst) (v128.load (local.get $p)))
                (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $p)))
                (local.set $p (i32.add (local.get $p) (local.get $rs)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $k1))))
            (return)))
        ;; column-major B (the A x B^T case): read 4 rows of each column, transpose
        (if (i32.eq (local.get $rs) (i32.const 4))
          (then
            (local.set $p (local.get $src))
            (loop $k4
              (if (i32.le_u (i32.add (local.get $k) (i32.const 4)) (local.get $kk)) (then${body}
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $k4))))))))
    (loop $kg
      (if (i32.lt_u (local.get $k) (local.get $kk)) (then
        (local.set $c (i32.const 0))
        (loop $cg
          (f32.store (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2)))
            (if (result f32) (i32.lt_u (local.get $c) (local.get $cols))
              (then (f32.load (i32.add (local.get $src)
                (i32.add (i32.mul (local.get $k) (local.get $rs)) (i32.mul (local.get $c) (local.get $cs))))))
              (else (f32.const 0))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $cg (i32.lt_u (local.get $c) (i32.const ${NR}))))
        (local.set $dst (i32.add (local.get $dst) (i32.const ${4 * NR})))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kg)))))`;
}

/**
 * pack_tile(t): pack tiles [0, A_BATCHES*A_PTILES) pack groups of PA_GROUP A panels,
 * the following B_BATCHES*B_PTILES tiles groups of PB_GROUP B panels.
 */
function packTile() {
  return `
  (func $pack_tile (export "pack_tile") (param $t i32)
    (local $bt i32) (local $g i32) (local $p i32) (local $pend i32) (local $np i32) (local $rows i32)
    (local $src i32) (local $dst i32) (local $kk i32) (local $rs i32) (local $cs i32) (local $n i32)
    (local $base i32)
    (local.set $kk ${d('K')})
    (local.set $n (i32.mul ${d('A_BATCHES')} ${d('A_PTILES')}))
    (if (i32.lt_u (local.get $t) (local.get $n))
      (then
        (local.set $bt (i32.div_u (local.get $t) ${d('A_PTILES')}))
        (local.set $g (i32.rem_u (local.get $t) ${d('A_PTILES')}))
        ;; batch bt of A: inner batch bt mod A_IB of outer batch bt / A_IB
        (local.set $base (i32.add ${d('A')}
          (i32.add (i32.mul (i32.div_u (local.get $bt) ${d('A_IB')}) ${d('A_BS')})
            (i32.mul (i32.rem_u (local.get $bt) ${d('A_IB')}) ${d('A_IS')}))))
        (local.set $rs ${d('A_RS')})
        (local.set $cs ${d('A_CS')})
        (local.set $np (i32.shr_u ${d('MP')} (i32.const 2)))
        (local.set $p (i32.mul (local.get $g) ${d('PA_GROUP')}))
        (local.set $pend (i32.add (local.get $p) ${d('PA_GROUP')}))
        (if (i32.gt_u (local.get $pend) (local.get $np)) (then (local.set $pend (local.get $np))))
        (loop $pa
          (local.set $rows (i32.sub ${d('M')} (i32.shl (local.get $p) (i32.const 2))))
          ;; four full panels with adjacent rows: one 64-byte read per k
          (if (i32.and (i32.eq (local.get $rs) (i32.const 4))
                (i32.and (i32.le_u (i32.add (local.get $p) (i32.const 4)) (local.get $pend))
                  (i32.ge_s (local.get $rows) (i32.const 16))))
            (then
              (call $pack_a4
                (i32.add (i32.add ${d('PA')} (i32.mul (local.get $bt) ${d('PA_BS')}))
                  (i32.mul (i32.mul (local.get $p) (local.get $kk)) (i32.const ${4 * MR})))
                (i32.add (local.get $base) (i32.shl (local.get $p) (i32.const 4)))
                (local.get $cs) (local.get $kk))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (br_if $pa (i32.lt_u (local.get $p) (local.get $pend)))
              (return)))
          (if (i32.gt_s (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
          (call $pack_a
            (i32.add (i32.add ${d('PA')} (i32.mul (local.get $bt) ${d('PA_BS')}))
              (i32.mul (i32.mul (local.get $p) (local.get $kk)) (i32.const ${4 * MR})))
            (i32.add (local.get $base) (i32.mul (i32.shl (local.get $p) (i32.const 2)) (local.get $rs)))
            (local.get $rs) (local.get $cs) (local.get $rows) (local.get $kk))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br_if $pa (i32.lt_u (local.get $p) (local.get $pend))))
        (return)))
    (local.set $t (i32.sub (local.get $t) (local.get $n)))
    (local.set $bt (i32.div_u (local.get $t) ${d('B_PTILES')}))
    (local.set $g (i32.rem_u (local.get $t) ${d('B_PTILES')}))
    (local.set $base (i32.add ${d('B')}
      (i32.add (i32.mul (i32.div_u (local.get $bt) ${d('B_IB')}) ${d('B_BS')})
        (i32.mul (i32.rem_u (local.get $bt) ${d('B_IB')}) ${d('B_IS')}))))
    (local.set $rs ${d('B_RS')})
    (local.set $cs ${d('B_CS')})
    (local.set $np (i32.shr_u ${d('NP')} (i32.const 3)))
    (local.set $p (i32.mul (local.get $g) ${d('PB_GROUP')}))
    (local.set $pend (i32.add (local.get $p) ${d('PB_GROUP')}))
    (if (i32.gt_u (local.get $pend) (local.get $np)) (then (local.set $pend (local.get $np))))
    (loop $pb
      (local.set $rows (i32.sub ${d('N')} (i32.shl (local.get $p) (i32.const 3))))
      (if (i32.gt_s (local.get $rows) (i32.const 8)) (then (local.set $rows (i32.const 8))))
      (call $pack_b
        (i32.add (i32.add ${d('PB')} (i32.mul (local.get $bt) ${d('PB_BS')}))
          (i32.mul (i32.mul (local.get $p) (local.get $kk)) (i32.const ${4 * NR})))
        (i32.add (local.get $base) (i32.mul (i32.shl (local.get $p) (i32.const 3)) (local.get $cs)))
        (local.get $rs) (local.get $cs) (local.get $rows) (local.get $kk))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $pb (i32.lt_u (local.get $p) (local.get $pend)))))`;
}

/** compute_tile(t): one TM x TN block of one batch's output (`compute_tile_fma` with `fma`). */
function computeTile(fma) {
  const sfx = fma ? '_fma' : '';
  return `
  (func $compute_tile${sfx} (export "compute_tile${sfx}") (param $t i32)
    (local $per i32) (local $bt i32) (local $ti i32) (local $tj i32)
    (local $i0 i32) (local $i1 i32) (local $j0 i32) (local $j1 i32) (local $i i32) (local $j i32)
    (local $pa i32) (local $pb i32) (local $c i32) (local $ldc i32) (local $kk i32)
    (local $pc i32) (local $kc i32) (local $bp i32) (local $ap i32) (local $cp i32) (local $acc i32)
    (local $bias i32) (local $biasj i32)
    (local.set $per (i32.mul ${d('TILES_M')} ${d('TILES_N')}))
    (local.set $bt (i32.div_u (local.get $t) (local.get $per)))
    (local.set $t (i32.rem_u (local.get $t) (local.get $per)))
    (local.set $ti (i32.div_u (local.get $t) ${d('TILES_N')}))
    (local.set $tj (i32.rem_u (local.get $t) ${d('TILES_N')}))
    (local.set $i0 (i32.mul (local.get $ti) ${d('TM')}))
    (local.set $i1 (i32.add (local.get $i0) ${d('TM')}))
    (if (i32.gt_u (local.get $i1) ${d('MP')}) (then (local.set $i1 ${d('MP')})))
    (local.set $j0 (i32.mul (local.get $tj) ${d('TN')}))
    (local.set $j1 (i32.add (local.get $j0) ${d('TN')}))
    (if (i32.gt_u (local.get $j1) ${d('NP')}) (then (local.set $j1 ${d('NP')})))
    (local.set $kk ${d('K')})
    (local.set $ldc ${d('LDC')})
    (local.set $pa (i32.add ${d('PA')} (i32.mul (i32.rem_u (local.get $bt) ${d('A_BATCHES')}) ${d('PA_BS')})))
    (local.set $pb (i32.add ${d('PB')} (i32.mul (i32.rem_u (local.get $bt) ${d('B_BATCHES')}) ${d('PB_BS')})))
    (local.set $c (i32.add ${d('C')} (i32.mul (local.get $bt) ${d('C_BS')})))
    (loop $blk
      (local.set $kc (i32.sub (local.get $kk) (local.get $pc)))
      (if (i32.gt_u (local.get $kc) (i32.const ${KC})) (then (local.set $kc (i32.const ${KC}))))
      ;; the bias goes in with the last block
      (if (i32.eq (i32.add (local.get $pc) (local.get $kc)) (local.get $kk))
        (then (local.set $bias ${d('BIAS')})))
      (local.set $j (local.get $j0))
      (loop $jr
        ;; B micro-panel for columns j..j+NR, rows pc..pc+kc
        (local.set $bp (i32.add (local.get $pb)
          (i32.mul (i32.add (i32.mul (i32.shr_u (local.get $j) (i32.const 3)) (local.get $kk)) (local.get $pc))
            (i32.const ${4 * NR}))))
        (local.set $biasj (if (result i32) (local.get $bias)
          (then (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))
          (else (i32.const 0))))
        (local.set $i (local.get $i0))
        (loop $ir
          (local.set $ap (i32.add (local.get $pa)
            (i32.mul (i32.add (i32.mul (i32.shr_u (local.get $i) (i32.const 2)) (local.get $kk)) (local.get $pc))
              (i32.const ${4 * MR}))))
          (local.set $cp (i32.add (local.get $c)
            (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 2)))))
          (call $micro${sfx} (local.get $ap) (local.get $bp) (local.get $cp) (local.get $kc) (local.get $ldc) (local.get $acc) (local.get $biasj))
          (local.set $i (i32.add (local.get $i) (i32.const ${MR})))
          (br_if $ir (i32.lt_u (local.get $i) (local.get $i1))))
        (local.set $j (i32.add (local.get $j) (i32.const ${NR})))
        (br_if $jr (i32.lt_u (local.get $j) (local.get $j1))))
      (local.set $acc (i32.const 1))
      (local.set $pc (i32.add (local.get $pc) (local.get $kc)))
      (br_if $blk (i32.lt_u (local.get $pc) (local.get $kk)))))`;
}

/**
 * The whole module as WebAssembly text; `relaxed` adds the fused multiply-add kernel
 * (`compute_tile_fma`), which needs relaxed SIMD.
 */
export function matmulWat({ relaxed = false } = {}) {
  return `;; Generated by matmul-wat.mjs: float32 GEMM with SIMD128${relaxed ? ' and relaxed-SIMD FMA' : ''} (MR=${MR}, NR=${NR}, KC=${KC}).
(module
  (import "env" "memory" (memory 1 65536 shared))
${microKernel(false)}${relaxed ? microKernel(true) : ''}
${packA()}
${packA4()}
${packB()}
${packTile()}
${computeTile(false)}${relaxed ? computeTile(true) : ''}
)
`;
}
