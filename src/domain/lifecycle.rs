//! A listing's lifecycle moves one way: preview → ga → deprecated → retired.

use chrono::NaiveDate;

use super::vocab::LifecycleStatus;

/// The lifecycle in force on `today` (UTC): a listing whose retirement date
/// has come is retired, whatever its stored status says. The scheduler
/// records the move (audited, tenants told) within a second of midnight;
/// readers apply it from the first instant, so nothing is enableable for
/// that second.
pub fn in_force(status: LifecycleStatus, retirement_date: Option<NaiveDate>, today: NaiveDate) -> LifecycleStatus {
    match retirement_date {
        Some(date) if date <= today => LifecycleStatus::Retired,
        _ => status,
    }
}

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
    fn a_listing_is_retired_from_its_retirement_date_on() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        assert_eq!(in_force(Deprecated, Some(day(4)), day(3)), Deprecated);
        assert_eq!(in_force(Deprecated, Some(day(4)), day(4)), Retired);
        assert_eq!(in_force(Ga, Some(day(1)), day(4)), Retired);
        assert_eq!(in_force(Ga, None, day(4)), Ga);
    }

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
