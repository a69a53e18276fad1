//! The time source of the credential cache: the system clock, or a manual clock that
//! tests move forward by hand (no sleeping).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::sync::lock;

/// A wall clock: [`Clock::system`] (the default) or [`Clock::manual`]. Cheap to clone;
/// clones of a manual clock share its time.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use tencentcloud_transport_std::Clock;
///
/// let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let clock = Clock::manual(start);
/// clock.clone().advance(Duration::from_secs(90));
/// assert_eq!(clock.now(), start + Duration::from_secs(90));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Clock(Source);

#[derive(Clone, Debug, Default)]
enum Source {
    #[default]
    System,
    Manual(Arc<Mutex<SystemTime>>),
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Source::System)
    }

    /// A clock standing at `start` until [`Clock::advance`] moves it.
    pub fn manual(start: SystemTime) -> Self {
        Self(Source::Manual(Arc::new(Mutex::new(start))))
    }

    /// The current time.
    pub fn now(&self) -> SystemTime {
        match &self.0 {
            Source::System => SystemTime::now(),
            Source::Manual(t) => *lock(t),
        }
    }

    /// Moves a manual clock forward (the system clock is left alone).
    pub fn advance(&self, by: Duration) {
        if let Source::Manual(t) = &self.0 {
            let mut t = lock(t);
            *t += by;
        }
    }
}
