//! A listing's lifecycle moves one way: preview → ga → deprecated → retired.

use super::vocab::LifecycleStatus;

/// The states a listing in `from` may move to.
pub fn allowed_moves(from: LifecycleStatus) -> &'static [LifecycleStatus] {
    use LifecycleStatus::*;
    match from {
        Preview => &[Ga],
        Ga => &[Deprecated],
        Deprecated => &[Retired],
        Retired => &[],
    }
}

/// Whether `from` → `to` is a move the lifecycle allows; staying put is fine.
pub fn may_move(from: LifecycleStatus, to: LifecycleStatus) -> bool {
    from == to || allowed_moves(from).contains(&to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use LifecycleStatus::*;

    #[test]
    fn the_lifecycle_only_moves_forward_one_step() {
        assert!(may_move(Preview, Ga));
        assert!(may_move(Ga, Deprecated));
        assert!(may_move(Deprecated, Retired));
        assert!(may_move(Ga, Ga));
        for (from, to) in [
            (Ga, Preview),
            (Preview, Deprecated),
            (Retired, Ga),
            (Deprecated, Ga),
            (Preview, Retired),
        ] {
            assert!(!may_move(from, to), "{from} -> {to}");
        }
        assert!(allowed_moves(Retired).is_empty());
    }
}
