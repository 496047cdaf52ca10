//! cachewhy's SHA-256 for wasm32, exported as plain C functions over linear memory (no wasm-bindgen:
//! it cannot be installed here). The JS loader in `js/index.js` is the only intended caller; it copies
//! input into buffers it got from `sha256_alloc` and reads digests back.
//!
//! Exports:
//! - `sha256_alloc(len) -> ptr`: a 64 KiB-aligned buffer that lives as long as the instance (the loader
//!   makes a handful at startup and reuses them; nothing is ever freed, so nothing can be freed twice).
//! - `sha256_digest(ptr, len, out)`: one-shot digest of one buffer.
//! - `sha256_new() -> handle`, `sha256_update(handle, ptr, len)`, `sha256_finish(handle, out)`,
//!   `sha256_discard(handle)`: up to 1024 independent streaming hashers. A handle names a slot *and*
//!   its generation, so a finished or discarded handle is refused (`-1`) instead of touching a reused slot.
//! - `sha256_digest_many(data, table, count, out)`: the 4-lane SIMD128 batch (see `multi.rs`).
//!
//! `out` always receives 32 bytes per digest.
//!
//! `no_std`: without std's allocator and panic machinery the module is about half the size, and a
//! panic (none is expected: it would be a bug) is a bare `unreachable` trap with no source locations
//! baked into the binary.
#![no_std]

mod consts;
mod multi;
mod scalar;

use core::arch::wasm32;

use consts::DIGEST;
use scalar::Hasher;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    wasm32::unreachable()
}

const PAGE: usize = 64 * 1024;

/// Grows the memory by enough whole pages for `len` bytes and returns the start of the new pages, or
/// 0 when the memory cannot grow. Pages past the end are owned by no one else: Rust's statics and
/// stack sit below the initial memory size, and nothing else grows the memory.
#[no_mangle]
pub extern "C" fn sha256_alloc(len: usize) -> *mut u8 {
    let pages = len.max(1) / PAGE + usize::from(len % PAGE != 0);
    match wasm32::memory_grow(0, pages) {
        usize::MAX => core::ptr::null_mut(),
        previous => (previous * PAGE) as *mut u8,
    }
}

/// One-shot digest of `len` bytes at `ptr`, written to `out`.
///
/// # Safety
/// `ptr..ptr+len` must be readable, `out..out+32` writable.
#[no_mangle]
pub unsafe extern "C" fn sha256_digest(ptr: *const u8, len: usize, out: *mut u8) {
    scalar::digest(core::slice::from_raw_parts(ptr, len), &mut *(out as *mut [u8; DIGEST]));
}

/// Digests of `count` messages packed at `data`: message `i` is `table[2i+1]` bytes at offset
/// `table[2i]`; digest `i` goes to `out + 32i`.
///
/// # Safety
/// See `multi::digest_many`.
#[no_mangle]
pub unsafe extern "C" fn sha256_digest_many(data: *const u8, table: *const u32, count: usize, out: *mut u8) {
    multi::digest_many(data, table, count, out);
}

// ---- streaming hashers behind generation-checked handles ----

#[derive(Clone, Copy)]
struct Slot {
    generation: u16,
    hasher: Option<Hasher>,
}

const MAX_SLOTS: usize = 1024;

/// The wasm module is single-threaded, so a `static mut` table touched only by the exports below is
/// sound. All-`None` is all zeros, so the table takes no space in the binary.
static mut SLOTS: [Slot; MAX_SLOTS] = [Slot { generation: 0, hasher: None }; MAX_SLOTS];

fn handle_of(index: usize, generation: u16) -> u32 {
    (u32::from(generation) << 16) | (index as u32 + 1)
}

/// The live hasher a handle names, or None if the handle is unknown, finished or discarded.
fn hasher_mut(handle: u32) -> Option<&'static mut Hasher> {
    let index = (handle & 0xffff).checked_sub(1)? as usize;
    // SAFETY: single-threaded module; no other reference into SLOTS outlives an export call.
    let slot = unsafe { SLOTS.get_mut(index)? };
    if u32::from(slot.generation) != handle >> 16 {
        return None;
    }
    slot.hasher.as_mut()
}

/// Ends a handle's life: the slot is emptied and its generation bumped so the handle stays invalid.
fn take_hasher(handle: u32) -> Option<Hasher> {
    hasher_mut(handle)?;
    let index = (handle & 0xffff) as usize - 1;
    // SAFETY: as in `hasher_mut`; the index was just validated.
    let slot = unsafe { &mut SLOTS[index] };
    slot.generation = slot.generation.wrapping_add(1);
    slot.hasher.take()
}

/// Starts a streaming hasher; returns its handle, or 0 when 1024 hashers are already live.
#[no_mangle]
pub extern "C" fn sha256_new() -> u32 {
    // SAFETY: as in `hasher_mut`.
    let slots = unsafe { &mut SLOTS };
    match slots.iter_mut().enumerate().find(|(_, slot)| slot.hasher.is_none()) {
        Some((index, slot)) => {
            slot.hasher = Some(Hasher::new());
            handle_of(index, slot.generation)
        }
        None => 0,
    }
}

/// Feeds `len` bytes at `ptr`; returns 0, or -1 if the handle is not live.
///
/// # Safety
/// `ptr..ptr+len` must be readable.
#[no_mangle]
pub unsafe extern "C" fn sha256_update(handle: u32, ptr: *const u8, len: usize) -> i32 {
    match hasher_mut(handle) {
        Some(hasher) => {
            hasher.update(core::slice::from_raw_parts(ptr, len));
            0
        }
        None => -1,
    }
}

/// Writes the digest to `out` and ends the handle; returns 0, or -1 if the handle is not live
/// (then `out` is untouched).
///
/// # Safety
/// `out..out+32` must be writable.
#[no_mangle]
pub unsafe extern "C" fn sha256_finish(handle: u32, out: *mut u8) -> i32 {
    match take_hasher(handle) {
        Some(hasher) => {
            hasher.finish(&mut *(out as *mut [u8; DIGEST]));
            0
        }
        None => -1,
    }
}

/// Ends a handle without a digest (an abandoned hasher); returns 0, or -1 if it was not live.
#[no_mangle]
pub extern "C" fn sha256_discard(handle: u32) -> i32 {
    match take_hasher(handle) {
        Some(_) => 0,
        None => -1,
    }
}
