//! Building a snapshot's parts side by side. A start or a full reload waits
//! for the whole snapshot, and most of its parts read the listings without
//! depending on each other; a small snapshot (one listing, decided again in
//! an enablement's transaction) is built on the calling thread, where two
//! threads would cost more than they save.

/// Whether a snapshot of `listings` listings is worth building on more than
/// one thread: each part then takes milliseconds, not microseconds.
pub fn worth_it(listings: usize) -> bool {
    listings >= 4_096
}

/// Runs `a` and `b`, on two threads when `side_by_side`, and returns both
/// results. A panic in either is passed on to the caller.
pub fn join<A: Send, B>(side_by_side: bool, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if !side_by_side {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let a = scope.spawn(a);
        let b = b();
        match a.join() {
            Ok(a) => (a, b),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
