//! Scalar SHA-256: the compression function, a streaming hasher and a one-shot digest.
//!
//! One stream is a serial chain of rounds, so the rounds stay scalar, fully unrolled so that the
//! working variables live in wasm locals (toolchain-notes §2: +21% Node / +44% Chromium over a rolled
//! loop). What SIMD128 can do for a single stream is the side work: byte-swapping the block and the
//! message schedule, four words at a time, on vector units that would otherwise idle while the integer
//! units run the rounds. Measured in Node on this machine: about 1.3–1.5× hash-wasm on a long stream,
//! against 1.0× for the same unrolled rounds with a scalar schedule.

use core::arch::wasm32::*;

use crate::consts::{pad_tail, state_to_digest, BLOCK, DIGEST, IV, K};

#[inline(always)]
fn big_sigma0(x: u32) -> u32 {
    x.rotate_right(2) ^ x.rotate_right(13) ^ x.rotate_right(22)
}
#[inline(always)]
fn big_sigma1(x: u32) -> u32 {
    x.rotate_right(6) ^ x.rotate_right(11) ^ x.rotate_right(25)
}

/// K in groups of four consecutive constants, to add to four schedule words at once. A `static mut`
/// so LLVM loads it instead of folding it into `v128.const`s (V8 builds each of those with three
/// instructions). Never written.
#[repr(align(16))]
struct Aligned<T>(T);
static mut K_QUADS: Aligned<[u32; 64]> = Aligned(K);

/// W[i] + K[i] for the block being compressed, written by SIMD and read by the scalar rounds. In linear
/// memory on purpose (see `compress`). The module is single-threaded and `compress` is not re-entrant.
static mut WK: Aligned<[u32; 64]> = Aligned([0; 64]);

#[inline(always)]
fn rotr4<const R: u32, const L: u32>(x: v128) -> v128 {
    // L must be 32 - R (const generic arithmetic is unstable on rustc 1.63).
    v128_or(u32x4_shr(x, R), u32x4_shl(x, L))
}
#[inline(always)]
fn small_sigma0x4(x: v128) -> v128 {
    v128_xor(v128_xor(rotr4::<7, 25>(x), rotr4::<18, 14>(x)), u32x4_shr(x, 3))
}
#[inline(always)]
fn small_sigma1x4(x: v128) -> v128 {
    v128_xor(v128_xor(rotr4::<17, 15>(x), rotr4::<19, 13>(x)), u32x4_shr(x, 10))
}

/// The next four schedule words W[t..t+4] from the previous sixteen, `x0` = W[t-16..t-12] (oldest).
#[inline(always)]
fn schedule4(x0: v128, x1: v128, x2: v128, x3: v128) -> v128 {
    let w_minus_15 = i32x4_shuffle::<1, 2, 3, 4>(x0, x1);
    let w_minus_7 = i32x4_shuffle::<1, 2, 3, 4>(x2, x3);
    let partial = u32x4_add(u32x4_add(x0, small_sigma0x4(w_minus_15)), w_minus_7);
    // W[t] and W[t+1] need sigma1 of W[t-2], W[t-1] (lanes 2, 3 of x3); W[t+2], W[t+3] need sigma1 of
    // the two words just computed, so the second half waits for the first.
    let low = u32x4_add(partial, small_sigma1x4(i32x4_shuffle::<2, 3, 2, 3>(x3, x3)));
    let high = u32x4_add(partial, small_sigma1x4(i32x4_shuffle::<0, 1, 0, 1>(low, low)));
    i32x4_shuffle::<0, 1, 6, 7>(low, high)
}

/// Four message words from 16 bytes, byte-swapped from big-endian in one shuffle (wasm has no bswap:
/// doing it per word in scalar code costs about ten instructions a word).
#[inline(always)]
unsafe fn load_be4(p: *const u8) -> v128 {
    let v = v128_load(p as *const v128);
    i8x16_shuffle::<3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12>(v, v)
}

/// Compresses every 64-byte block of `blocks` into `state`; `blocks.len()` must be a multiple of 64
/// (a shorter remainder is ignored). Never inlined: one copy of the unrolled body keeps the module small.
///
/// The rounds are scalar (one SHA-256 stream is a serial chain), fully unrolled so the eight working
/// variables stay in locals. The message schedule, about a quarter of the work, runs four words at a
/// time in SIMD128 and lands, with K added, in `WK`; the CPU's vector units compute it alongside the
/// scalar rounds. `WK` is read with volatile loads so LLVM keeps it in memory instead of turning the
/// reads into lane extractions, which cost more in V8 than a load.
#[inline(never)]
#[allow(unused_assignments)] // the last schedule step shifts x0..x3 once more than needed
pub fn compress(state: &mut [u32; 8], blocks: &[u8]) {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    // SAFETY: single-threaded module and `compress` never re-enters; see `WK`.
    let wk = unsafe { WK.0.as_mut_ptr() };
    let k = unsafe { K_QUADS.0.as_ptr() };
    for block in blocks.chunks_exact(BLOCK) {
        let p = block.as_ptr();
        // SAFETY: `block` is 64 readable bytes; `wk` and `k` point to 64 aligned u32s.
        let (mut x0, mut x1, mut x2, mut x3) = unsafe { (load_be4(p), load_be4(p.add(16)), load_be4(p.add(32)), load_be4(p.add(48))) };
        macro_rules! store_wk {
            ($group:expr, $x:expr) => {
                unsafe {
                    v128_store(wk.add(4 * $group) as *mut v128, u32x4_add($x, v128_load(k.add(4 * $group) as *const v128)))
                }
            };
        }
        store_wk!(0, x0);
        store_wk!(1, x1);
        store_wk!(2, x2);
        store_wk!(3, x3);
        let before = [a, b, c, d, e, f, g, h];

        // One round. The roles of the variables rotate by one each round; instead of moving values,
        // the callers pass the names in rotated order. Ch and Maj use their 3-operation forms; Maj's
        // `b ^ c` equals the previous round's `a ^ b`, which LLVM reuses.
        macro_rules! round {
            ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident, $i:expr) => {
                let t1 = $h
                    .wrapping_add(big_sigma1($e))
                    .wrapping_add($g ^ ($e & ($f ^ $g)))
                    .wrapping_add(unsafe { wk.add($i).read_volatile() });
                let t2 = big_sigma0($a).wrapping_add((($a ^ $b) & ($b ^ $c)) ^ $b);
                $d = $d.wrapping_add(t1);
                $h = t1.wrapping_add(t2);
            };
        }
        // Four rounds of group `group`, first extending the schedule by one group, 4 groups ahead.
        macro_rules! four_rounds {
            ($group:expr, $a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident) => {
                if $group + 4 < 16 {
                    let next = schedule4(x0, x1, x2, x3);
                    store_wk!($group + 4, next);
                    x0 = x1;
                    x1 = x2;
                    x2 = x3;
                    x3 = next;
                }
                round!($a, $b, $c, $d, $e, $f, $g, $h, 4 * $group);
                round!($h, $a, $b, $c, $d, $e, $f, $g, 4 * $group + 1);
                round!($g, $h, $a, $b, $c, $d, $e, $f, 4 * $group + 2);
                round!($f, $g, $h, $a, $b, $c, $d, $e, 4 * $group + 3);
            };
        }
        four_rounds!(0, a, b, c, d, e, f, g, h);
        four_rounds!(1, e, f, g, h, a, b, c, d);
        four_rounds!(2, a, b, c, d, e, f, g, h);
        four_rounds!(3, e, f, g, h, a, b, c, d);
        four_rounds!(4, a, b, c, d, e, f, g, h);
        four_rounds!(5, e, f, g, h, a, b, c, d);
        four_rounds!(6, a, b, c, d, e, f, g, h);
        four_rounds!(7, e, f, g, h, a, b, c, d);
        four_rounds!(8, a, b, c, d, e, f, g, h);
        four_rounds!(9, e, f, g, h, a, b, c, d);
        four_rounds!(10, a, b, c, d, e, f, g, h);
        four_rounds!(11, e, f, g, h, a, b, c, d);
        four_rounds!(12, a, b, c, d, e, f, g, h);
        four_rounds!(13, e, f, g, h, a, b, c, d);
        four_rounds!(14, a, b, c, d, e, f, g, h);
        four_rounds!(15, e, f, g, h, a, b, c, d);

        a = a.wrapping_add(before[0]);
        b = b.wrapping_add(before[1]);
        c = c.wrapping_add(before[2]);
        d = d.wrapping_add(before[3]);
        e = e.wrapping_add(before[4]);
        f = f.wrapping_add(before[5]);
        g = g.wrapping_add(before[6]);
        h = h.wrapping_add(before[7]);
    }
    *state = [a, b, c, d, e, f, g, h];
}

/// Compresses the final (padding) block(s) of a message of `total_len` bytes ending with `tail`
/// (`tail.len() < 64`) and writes the digest.
pub fn finish_with_tail(state: &mut [u32; 8], tail: &[u8], total_len: u64, out: &mut [u8; DIGEST]) {
    let mut last = [0u8; 2 * BLOCK];
    let used = pad_tail(tail, total_len, &mut last);
    compress(state, &last[..used]);
    state_to_digest(state, out);
}

/// One-shot digest of a whole message.
pub fn digest(data: &[u8], out: &mut [u8; DIGEST]) {
    let mut state = IV;
    let full = data.len() - data.len() % BLOCK;
    compress(&mut state, &data[..full]);
    finish_with_tail(&mut state, &data[full..], data.len() as u64, out);
}

/// Streaming hasher: buffers at most one partial block between `update` calls.
#[derive(Clone, Copy)]
pub struct Hasher {
    state: [u32; 8],
    pending: [u8; BLOCK],
    pending_len: usize,
    total_len: u64,
}

impl Hasher {
    pub const fn new() -> Self {
        Hasher { state: IV, pending: [0; BLOCK], pending_len: 0, total_len: 0 }
    }

    pub fn update(&mut self, mut data: &[u8]) {
        self.total_len = self.total_len.wrapping_add(data.len() as u64);
        if self.pending_len > 0 {
            let take = (BLOCK - self.pending_len).min(data.len());
            self.pending[self.pending_len..self.pending_len + take].copy_from_slice(&data[..take]);
            self.pending_len += take;
            data = &data[take..];
            if self.pending_len < BLOCK {
                return;
            }
            compress(&mut self.state, &self.pending);
            self.pending_len = 0;
        }
        let full = data.len() - data.len() % BLOCK;
        if full > 0 {
            compress(&mut self.state, &data[..full]);
        }
        let rest = &data[full..];
        self.pending[..rest.len()].copy_from_slice(rest);
        self.pending_len = rest.len();
    }

    pub fn finish(mut self, out: &mut [u8; DIGEST]) {
        let tail = self.pending;
        finish_with_tail(&mut self.state, &tail[..self.pending_len], self.total_len, out);
    }
}
