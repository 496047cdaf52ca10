//! cachewhy's SHA-256 for wasm32, exported as plain C functions over linear memory (no wasm-bindgen:
//! it cannot be installed here). The JS loader in `js/index.js` is the only intended caller; it copies
//! input into buffers it got from `sha256_alloc` and reads digests back.
//!
//! Exports:
//! - `sha256_alloc(len) -> ptr`, `sha256_free(ptr, len)`: 16-byte aligned buffers for the loader.
//! - `sha256_digest(ptr, len, out)`: one-shot digest of one buffer.
//! - `sha256_new() -> handle`, `sha256_update(handle, ptr, len)`, `sha256_finish(handle, out)`,
//!   `sha256_discard(handle)`: independent streaming hashers. A handle names a slot *and* its
//!   generation, so a finished or discarded handle is refused (`-1`) instead of touching a reused slot.
//! - `sha256_digest_many(data, table, count, out)`: the 4-lane SIMD128 batch (see `multi.rs`).
//!
//! `out` always receives 32 bytes per digest.

mod consts;
mod multi;
mod scalar;

use std::alloc::{alloc, dealloc, Layout};

use consts::DIGEST;
use scalar::Hasher;

const ALIGN: usize = 16;

fn layout(len: usize) -> Option<Layout> {
    Layout::from_size_align(len.max(1), ALIGN).ok()
}

/// Allocates `len` bytes (16-byte aligned); returns 0 when memory cannot grow.
#[no_mangle]
pub extern "C" fn sha256_alloc(len: usize) -> *mut u8 {
    match layout(len) {
        // SAFETY: the layout has a non-zero size.
        Some(layout) => unsafe { alloc(layout) },
        None => core::ptr::null_mut(),
    }
}

/// Frees a buffer from `sha256_alloc`; `len` must be the length it was allocated with.
///
/// # Safety
/// `ptr` must come from `sha256_alloc(len)` and not be freed twice.
#[no_mangle]
pub unsafe extern "C" fn sha256_free(ptr: *mut u8, len: usize) {
    if let (false, Some(layout)) = (ptr.is_null(), layout(len)) {
        dealloc(ptr, layout);
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

struct Slot {
    generation: u16,
    hasher: Option<Hasher>,
}

/// The wasm module is single-threaded, so a `static mut` table touched only by the exports below is sound.
static mut SLOTS: Vec<Slot> = Vec::new();

const MAX_SLOTS: usize = 0xffff;

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

/// Starts a streaming hasher; returns its handle, or 0 when 65535 hashers are already live.
#[no_mangle]
pub extern "C" fn sha256_new() -> u32 {
    // SAFETY: as in `hasher_mut`.
    let slots = unsafe { &mut SLOTS };
    if let Some(index) = slots.iter().position(|slot| slot.hasher.is_none()) {
        let slot = &mut slots[index];
        slot.hasher = Some(Hasher::new());
        return handle_of(index, slot.generation);
    }
    if slots.len() >= MAX_SLOTS {
        return 0;
    }
    slots.push(Slot { generation: 0, hasher: Some(Hasher::new()) });
    handle_of(slots.len() - 1, 0)
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
