//! The constants of FIPS 180-4 §4.2.2 and §5.3.3, shared by the scalar and the 4-lane kernels.

use core::arch::wasm32::{u64x2_splat, v128};

/// Round constants: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
pub const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// Initial hash value: the first 32 bits of the fractional parts of the square roots of the first 8 primes.
pub const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

pub const BLOCK: usize = 64;
pub const DIGEST: usize = 32;

/// Writes the Merkle–Damgård padding of a message of `total_len` bytes whose last `tail.len() < 64` bytes
/// are `tail` into `out` and returns how many bytes of `out` (64 or 128) make up the final block(s).
pub fn pad_tail(tail: &[u8], total_len: u64, out: &mut [u8; 2 * BLOCK]) -> usize {
    // Zeroed 16 bytes per store. Volatile so that LLVM does not merge the stores (or a byte loop) into a
    // `memset` call: without bulk memory that is a byte-by-byte loop, 2% of a batch of 2 KiB messages.
    for chunk in out.chunks_exact_mut(16) {
        // SAFETY: `chunk` is 16 writable bytes; v128 stores need no alignment.
        unsafe { core::ptr::write_volatile(chunk.as_mut_ptr() as *mut v128, u64x2_splat(0)) };
    }
    let n = tail.len();
    if n > 0 {
        out[..n].copy_from_slice(tail);
    }
    out[n] = 0x80;
    // The 8-byte bit length must fit after the 0x80 byte in the same block, else a second block is needed.
    let used = if n < BLOCK - 8 { BLOCK } else { 2 * BLOCK };
    out[used - 8..used].copy_from_slice(&total_len.wrapping_mul(8).to_be_bytes());
    used
}

/// Big-endian serialisation of a final state.
pub fn state_to_digest(state: &[u32; 8], out: &mut [u8; DIGEST]) {
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
}
