//! Scalar SHA-256: the compression function, a streaming hasher and a one-shot digest.
//!
//! One stream is a serial chain of rounds, so the rounds are scalar, fully unrolled with a 16-word
//! rolling message schedule: every index is a constant, so the working variables and the schedule live
//! in wasm locals (measured before the project started: +21% Node / +44% Chromium over a rolled loop). SIMD128 only
//! byte-swaps the block: wasm has no bswap, and doing it per word costs about ten instructions.
//!
//! Tried and dropped: computing the message schedule four words at a time in SIMD128 alongside the
//! scalar rounds. In Node 20 it was 1.35–1.5× hash-wasm on a long stream, but in Chromium 156 (whose
//! newer V8 compiles it differently) 0.8–1.0×, against 1.1–1.15× for this version; the app runs in
//! Chromium, so this version stays (CPU-time measurements, interleaved runs, same machine).
//! Also measured in Chromium 156 and dropped (paired ratios against this version): the sigmas in
//! factored form, `ror6(e ^ ror5(e ^ ror14(e)))` (13% fewer instructions in Node's V8, which copies
//! before every in-place rotate) -3%, the same for the schedule's sigmas only -2%, and the round's sums
//! reassociated for a shorter e→e chain -1.5% to -10%.

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
#[inline(always)]
fn small_sigma0(x: u32) -> u32 {
    x.rotate_right(7) ^ x.rotate_right(18) ^ (x >> 3)
}
#[inline(always)]
fn small_sigma1(x: u32) -> u32 {
    x.rotate_right(17) ^ x.rotate_right(19) ^ (x >> 10)
}

/// The 16 big-endian words of a 64-byte block, four per vector, byte-swapped with one shuffle each.
#[inline(always)]
fn load_block_be(block: &[u8]) -> [v128; 4] {
    assert!(block.len() >= BLOCK); // lets LLVM drop the checks below; `compress` passes whole blocks
    let mut words = [u32x4_splat(0); 4];
    for (i, word) in words.iter_mut().enumerate() {
        // SAFETY: bytes 16i..16i+16 are within the block (checked above); v128_load has no alignment need.
        let v = unsafe { v128_load(block.as_ptr().add(16 * i) as *const v128) };
        *word = i8x16_shuffle::<3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12>(v, v);
    }
    words
}

/// Compresses every 64-byte block of `blocks` into `state`; `blocks.len()` must be a multiple of 64
/// (a shorter remainder is ignored). Never inlined: one copy of the unrolled body keeps the module small.
#[inline(never)]
pub fn compress(state: &mut [u32; 8], blocks: &[u8]) {
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for block in blocks.chunks_exact(BLOCK) {
        let words = load_block_be(block);
        let mut w = [
            u32x4_extract_lane::<0>(words[0]),
            u32x4_extract_lane::<1>(words[0]),
            u32x4_extract_lane::<2>(words[0]),
            u32x4_extract_lane::<3>(words[0]),
            u32x4_extract_lane::<0>(words[1]),
            u32x4_extract_lane::<1>(words[1]),
            u32x4_extract_lane::<2>(words[1]),
            u32x4_extract_lane::<3>(words[1]),
            u32x4_extract_lane::<0>(words[2]),
            u32x4_extract_lane::<1>(words[2]),
            u32x4_extract_lane::<2>(words[2]),
            u32x4_extract_lane::<3>(words[2]),
            u32x4_extract_lane::<0>(words[3]),
            u32x4_extract_lane::<1>(words[3]),
            u32x4_extract_lane::<2>(words[3]),
            u32x4_extract_lane::<3>(words[3]),
        ];
        let before = [a, b, c, d, e, f, g, h];

        // One round. The roles of the variables rotate by one each round; instead of moving values,
        // the callers pass the names in rotated order. Ch and Maj use their 3-operation forms; Maj's
        // `b ^ c` equals the previous round's `a ^ b`, which LLVM reuses.
        macro_rules! round {
            ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident, $i:expr) => {
                let t1 = $h
                    .wrapping_add(big_sigma1($e))
                    .wrapping_add($g ^ ($e & ($f ^ $g)))
                    .wrapping_add(K[$i])
                    .wrapping_add(w[$i & 15]);
                let t2 = big_sigma0($a).wrapping_add((($a ^ $b) & ($b ^ $c)) ^ $b);
                $d = $d.wrapping_add(t1);
                $h = t1.wrapping_add(t2);
            };
        }
        // W[i] for i >= 16, written over W[i - 16] in the 16-word ring.
        macro_rules! schedule {
            ($i:expr) => {
                w[$i & 15] = w[$i & 15]
                    .wrapping_add(small_sigma0(w[($i + 1) & 15]))
                    .wrapping_add(w[($i + 9) & 15])
                    .wrapping_add(small_sigma1(w[($i + 14) & 15]));
            };
        }
        macro_rules! eight_rounds {
            ($i:expr) => {
                round!(a, b, c, d, e, f, g, h, $i);
                round!(h, a, b, c, d, e, f, g, $i + 1);
                round!(g, h, a, b, c, d, e, f, $i + 2);
                round!(f, g, h, a, b, c, d, e, $i + 3);
                round!(e, f, g, h, a, b, c, d, $i + 4);
                round!(d, e, f, g, h, a, b, c, $i + 5);
                round!(c, d, e, f, g, h, a, b, $i + 6);
                round!(b, c, d, e, f, g, h, a, $i + 7);
            };
        }
        macro_rules! eight_rounds_scheduled {
            ($i:expr) => {
                schedule!($i);
                round!(a, b, c, d, e, f, g, h, $i);
                schedule!($i + 1);
                round!(h, a, b, c, d, e, f, g, $i + 1);
                schedule!($i + 2);
                round!(g, h, a, b, c, d, e, f, $i + 2);
                schedule!($i + 3);
                round!(f, g, h, a, b, c, d, e, $i + 3);
                schedule!($i + 4);
                round!(e, f, g, h, a, b, c, d, $i + 4);
                schedule!($i + 5);
                round!(d, e, f, g, h, a, b, c, $i + 5);
                schedule!($i + 6);
                round!(c, d, e, f, g, h, a, b, $i + 6);
                schedule!($i + 7);
                round!(b, c, d, e, f, g, h, a, $i + 7);
            };
        }

        eight_rounds!(0);
        eight_rounds!(8);
        eight_rounds_scheduled!(16);
        eight_rounds_scheduled!(24);
        eight_rounds_scheduled!(32);
        eight_rounds_scheduled!(40);
        eight_rounds_scheduled!(48);
        eight_rounds_scheduled!(56);

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
