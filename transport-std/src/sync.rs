//! Locking that survives a panicked holder (the guarded values stay consistent).

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `m`, taking the value over from a holder that panicked.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
