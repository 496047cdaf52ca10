//! Multi-buffer SHA-256: four independent messages hashed at once, one per 32-bit lane of SIMD128.
//!
//! A single SHA-256 stream is a serial chain of rounds, so SIMD cannot speed it up; four different
//! messages can share every instruction instead. Each lane walks its own message block by block; when a
//! message's last (padding) block is done, its digest is written and the lane is refilled with the next
//! message at once, so short and long messages mix without lanes idling. When a single message is left
//! it finishes on the scalar kernel, which is faster than one busy lane out of four.

use core::arch::wasm32::*;

use crate::consts::{pad_tail, state_to_digest, BLOCK, DIGEST, IV, K};
use crate::scalar;

const LANES: usize = 4;

/// The round constants, each repeated in all four lanes. Loaded from memory on purpose: a `static mut`
/// stops LLVM from folding them into `v128.const`s, which V8 rebuilds with three instructions each round;
/// a load is one. Never written.
#[repr(align(16))]
struct SplatK([[u32; 4]; 64]);
static mut K4: SplatK = SplatK(splat_k());

const fn splat_k() -> [[u32; 4]; 64] {
    let mut out = [[0; 4]; 64];
    let mut i = 0;
    while i < 64 {
        out[i] = [K[i]; 4];
        i += 1;
    }
    out
}

#[inline(always)]
fn k4(i: usize) -> v128 {
    // SAFETY: K4 is never written; `i < 64` at every call site (a constant index).
    unsafe { v128_load(K4.0.as_ptr().add(i) as *const v128) }
}

/// Fed to lanes that have run out of messages; their results are discarded.
static IDLE_BLOCK: [u8; BLOCK] = [0; BLOCK];

/// One lane's position in its message: full blocks are read in place from the packed input, the final
/// one or two padded blocks from `tail`.
struct Lane {
    /// Index of the message in the batch (where its digest goes); `None` when idle.
    message: Option<usize>,
    data: *const u8,
    full_blocks: usize,
    total_blocks: usize,
    next_block: usize,
    tail: [u8; 2 * BLOCK],
}

impl Lane {
    fn idle() -> Self {
        Lane {
            message: None,
            data: core::ptr::null(),
            full_blocks: 0,
            total_blocks: 0,
            next_block: 0,
            tail: [0; 2 * BLOCK],
        }
    }

    /// Points the lane at message `index`, `len` bytes at `data`.
    ///
    /// # Safety
    /// `data..data + len` must be readable for as long as the lane uses it.
    unsafe fn load(&mut self, index: usize, data: *const u8, len: usize) {
        let full = len / BLOCK;
        let tail = core::slice::from_raw_parts(data.add(full * BLOCK), len % BLOCK);
        let padded = pad_tail(tail, len as u64, &mut self.tail);
        self.message = Some(index);
        self.data = data;
        self.full_blocks = full;
        self.total_blocks = full + padded / BLOCK;
        self.next_block = 0;
    }

    fn block(&self) -> *const u8 {
        match self.message {
            None => IDLE_BLOCK.as_ptr(),
            Some(_) if self.next_block < self.full_blocks => {
                // SAFETY: within the message, which `load`'s caller guarantees readable.
                unsafe { self.data.add(self.next_block * BLOCK) }
            }
            Some(_) => self.tail[(self.next_block - self.full_blocks) * BLOCK..].as_ptr(),
        }
    }
}

#[inline(always)]
fn rotr<const R: u32, const L: u32>(x: v128) -> v128 {
    // There is no lane-wise rotate in SIMD128; L must be 32 - R (const generics cannot compute it on 1.63).
    v128_or(u32x4_shr(x, R), u32x4_shl(x, L))
}
#[inline(always)]
fn big_sigma0(x: v128) -> v128 {
    v128_xor(v128_xor(rotr::<2, 30>(x), rotr::<13, 19>(x)), rotr::<22, 10>(x))
}
#[inline(always)]
fn big_sigma1(x: v128) -> v128 {
    v128_xor(v128_xor(rotr::<6, 26>(x), rotr::<11, 21>(x)), rotr::<25, 7>(x))
}
#[inline(always)]
fn small_sigma0(x: v128) -> v128 {
    v128_xor(v128_xor(rotr::<7, 25>(x), rotr::<18, 14>(x)), u32x4_shr(x, 3))
}
#[inline(always)]
fn small_sigma1(x: v128) -> v128 {
    v128_xor(v128_xor(rotr::<17, 15>(x), rotr::<19, 13>(x)), u32x4_shr(x, 10))
}

/// Loads the next block of each lane and transposes it so that `w[i]` holds word `i` of all four lanes,
/// byte-swapped to big-endian. Built as one array expression: a zero-initialised array filled in a loop
/// became a 256-byte `memset` call per block (3% of a batch).
#[inline(always)]
unsafe fn load_words(blocks: [*const u8; LANES]) -> [v128; 16] {
    let [w0, w1, w2, w3] = transpose_words(blocks, 0);
    let [w4, w5, w6, w7] = transpose_words(blocks, 1);
    let [w8, w9, w10, w11] = transpose_words(blocks, 2);
    let [w12, w13, w14, w15] = transpose_words(blocks, 3);
    [w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15]
}

/// Words `4 * group ..= 4 * group + 3` of the four blocks: rows (one per lane) are loaded and byte-swapped,
/// then transposed 4x4 so that each result holds one word of all four lanes.
#[inline(always)]
unsafe fn transpose_words(blocks: [*const u8; LANES], group: usize) -> [v128; 4] {
    let row = |lane: usize| {
        let v = v128_load(blocks[lane].add(group * 16) as *const v128);
        i8x16_shuffle::<3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12>(v, v)
    };
    let (r0, r1, r2, r3) = (row(0), row(1), row(2), row(3));
    let lo01 = i32x4_shuffle::<0, 4, 1, 5>(r0, r1);
    let hi01 = i32x4_shuffle::<2, 6, 3, 7>(r0, r1);
    let lo23 = i32x4_shuffle::<0, 4, 1, 5>(r2, r3);
    let hi23 = i32x4_shuffle::<2, 6, 3, 7>(r2, r3);
    [
        i64x2_shuffle::<0, 2>(lo01, lo23),
        i64x2_shuffle::<1, 3>(lo01, lo23),
        i64x2_shuffle::<0, 2>(hi01, hi23),
        i64x2_shuffle::<1, 3>(hi01, hi23),
    ]
}

/// One block of each lane. Written as 16 unrolled rounds in a loop (LLVM unrolls the loop itself), so
/// every index into the 16-vector schedule ring is a constant and the ring lives in wasm locals.
///
/// This is close to the floor of what SIMD128 allows: 35 vector ops per round and 21 per schedule word,
/// 3,248 per call, which V8 turns into about 3,750 instructions (see README.md, "Speed").
///
/// Alternatives measured in Chromium 156 (renderer main-thread CPU time, interleaved rounds, paired
/// ratios against this version): two 4-lane groups interleaved round by round (8 lanes) ±0%; the sums
/// reassociated so that each round's e→e and a→a chains end one add after the sigma (critical path 114 →
/// 90 ops per 16 rounds) -2%; Ch as `v128_bitselect` -2.5%; all 64 rounds unrolled -6%; the ring in
/// linear memory -15%; the whole 64-word schedule computed first, in memory, -30%; 4 SIMD lanes and 1
/// scalar lane in one instruction stream -45% (spills). The machine sustains ~4 independent vector
/// adds/xors per cycle but a dependent one takes ~2 cycles, and neither the shorter chains nor the second
/// group moved the figure, so the kernel is bound by its instruction count, not by latency.
#[inline(never)]
fn compress4(state: &mut [v128; 8], mut w: [v128; 16]) {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;

    macro_rules! round {
        ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident, $k:expr, $w:expr) => {
            let ch = v128_xor($g, v128_and($e, v128_xor($f, $g)));
            let t1 = u32x4_add(u32x4_add(u32x4_add($h, big_sigma1($e)), u32x4_add(ch, k4($k))), $w);
            let maj = v128_xor(v128_and(v128_xor($a, $b), v128_xor($b, $c)), $b);
            $d = u32x4_add($d, t1);
            $h = u32x4_add(t1, u32x4_add(big_sigma0($a), maj));
        };
    }
    // Round i of a 16-round run starting at `base`; for rounds >= 16 first extend the schedule in the ring.
    macro_rules! step {
        ($base:expr, $schedule:expr, $i:expr, $a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident) => {
            if $schedule {
                w[$i] = u32x4_add(
                    u32x4_add(w[$i], small_sigma0(w[($i + 1) & 15])),
                    u32x4_add(w[($i + 9) & 15], small_sigma1(w[($i + 14) & 15])),
                );
            }
            round!($a, $b, $c, $d, $e, $f, $g, $h, $base + $i, w[$i]);
        };
    }
    macro_rules! sixteen_rounds {
        ($base:expr, $schedule:expr) => {
            step!($base, $schedule, 0, a, b, c, d, e, f, g, h);
            step!($base, $schedule, 1, h, a, b, c, d, e, f, g);
            step!($base, $schedule, 2, g, h, a, b, c, d, e, f);
            step!($base, $schedule, 3, f, g, h, a, b, c, d, e);
            step!($base, $schedule, 4, e, f, g, h, a, b, c, d);
            step!($base, $schedule, 5, d, e, f, g, h, a, b, c);
            step!($base, $schedule, 6, c, d, e, f, g, h, a, b);
            step!($base, $schedule, 7, b, c, d, e, f, g, h, a);
            step!($base, $schedule, 8, a, b, c, d, e, f, g, h);
            step!($base, $schedule, 9, h, a, b, c, d, e, f, g);
            step!($base, $schedule, 10, g, h, a, b, c, d, e, f);
            step!($base, $schedule, 11, f, g, h, a, b, c, d, e);
            step!($base, $schedule, 12, e, f, g, h, a, b, c, d);
            step!($base, $schedule, 13, d, e, f, g, h, a, b, c);
            step!($base, $schedule, 14, c, d, e, f, g, h, a, b);
            step!($base, $schedule, 15, b, c, d, e, f, g, h, a);
        };
    }

    sixteen_rounds!(0, false);
    for base in [16, 32, 48] {
        sixteen_rounds!(base, true);
    }

    let [sa, sb, sc, sd, se, sf, sg, sh] = *state;
    *state = [
        u32x4_add(a, sa),
        u32x4_add(b, sb),
        u32x4_add(c, sc),
        u32x4_add(d, sd),
        u32x4_add(e, se),
        u32x4_add(f, sf),
        u32x4_add(g, sg),
        u32x4_add(h, sh),
    ];
}

/// The 8 state words of one lane.
fn lane_state(state: &[v128; 8], lane: usize) -> [u32; 8] {
    // SAFETY: v128 and [u32; 4] have the same size, and every bit pattern is a valid u32.
    let words: [[u32; 4]; 8] = unsafe { core::mem::transmute(*state) };
    let mut out = [0; 8];
    for (o, w) in out.iter_mut().zip(words) {
        *o = w[lane];
    }
    out
}

fn set_lane_state(state: &mut [v128; 8], lane: usize, value: &[u32; 8]) {
    // SAFETY: as in `lane_state`.
    let mut words: [[u32; 4]; 8] = unsafe { core::mem::transmute(*state) };
    for (w, v) in words.iter_mut().zip(value) {
        w[lane] = *v;
    }
    *state = unsafe { core::mem::transmute(words) };
}

/// Digests of `count` messages. Message `i` is `table[2i + 1]` bytes at `data + table[2i]`; its digest
/// is written to `out + 32 i`.
///
/// # Safety
/// `table` must hold `2 * count` u32s, every message must lie in readable memory, and `out` must have
/// room for `32 * count` bytes not overlapping the inputs.
pub unsafe fn digest_many(data: *const u8, table: *const u32, count: usize, out: *mut u8) {
    let message = |i: usize| -> (*const u8, usize) {
        let offset = table.add(2 * i).read_unaligned() as usize;
        let len = table.add(2 * i + 1).read_unaligned() as usize;
        (data.add(offset), len)
    };
    let write_digest = |index: usize, words: &[u32; 8]| {
        let mut digest = [0u8; DIGEST];
        state_to_digest(words, &mut digest);
        core::ptr::copy_nonoverlapping(digest.as_ptr(), out.add(index * DIGEST), DIGEST);
    };

    let mut lanes = [Lane::idle(), Lane::idle(), Lane::idle(), Lane::idle()];
    let mut state = IV.map(|word| u32x4_splat(word));
    let mut next_message = 0;
    let mut busy = 0;
    for lane in lanes.iter_mut() {
        if next_message < count {
            let (ptr, len) = message(next_message);
            lane.load(next_message, ptr, len);
            next_message += 1;
            busy += 1;
        }
    }

    while busy > 1 || (busy == 1 && next_message < count) {
        let blocks = [lanes[0].block(), lanes[1].block(), lanes[2].block(), lanes[3].block()];
        compress4(&mut state, load_words(blocks));
        for (index, lane) in lanes.iter_mut().enumerate() {
            let done = match lane.message {
                Some(done) => done,
                None => continue,
            };
            lane.next_block += 1;
            if lane.next_block < lane.total_blocks {
                continue;
            }
            write_digest(done, &lane_state(&state, index));
            if next_message < count {
                let (ptr, len) = message(next_message);
                lane.load(next_message, ptr, len);
                next_message += 1;
                set_lane_state(&mut state, index, &IV);
            } else {
                lane.message = None;
                busy -= 1;
            }
        }
    }

    // The last message alone: continue its lane's state on the scalar kernel.
    for (index, lane) in lanes.iter().enumerate() {
        let done = match lane.message {
            Some(done) => done,
            None => continue,
        };
        let mut words = lane_state(&state, index);
        if lane.next_block < lane.full_blocks {
            let rest = (lane.full_blocks - lane.next_block) * BLOCK;
            scalar::compress(&mut words, core::slice::from_raw_parts(lane.block(), rest));
        }
        let padding_start = lane.next_block.max(lane.full_blocks) - lane.full_blocks;
        let padding_end = lane.total_blocks - lane.full_blocks;
        scalar::compress(&mut words, &lane.tail[padding_start * BLOCK..padding_end * BLOCK]);
        write_digest(done, &words);
    }
}
