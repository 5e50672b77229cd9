//! Decoding the rows of a large result with each column's type checked once
//! for the result, not once a value.
//!
//! `Row::try_get` checks the SQL type of every value it decodes against the
//! Rust type asked for. A start at 100,000 listings decodes about ten million
//! values from three results, and those checks took about a sixth of the CPU
//! time the server spent reading them (`bench/RESULTS.md`, fifteenth round).
//! Every row of a result has the same columns, so a column's type needs
//! checking only the first time it is decoded, whatever its value; after
//! that it is decoded as it comes.

use std::cell::Cell;

use sqlx::postgres::PgRow;
use sqlx::{Column, Decode, Postgres, Row, Type, TypeInfo};

/// The columns of one result whose type has been checked so far, one bit a
/// column. Kept for as long as the result's rows are being decoded.
#[derive(Debug, Default)]
pub struct CheckedColumns(Cell<u64>);

impl CheckedColumns {
    /// Whether column `index` was checked; columns past the 64th never are,
    /// and are checked every time.
    fn bit(index: usize) -> u64 {
        u32::try_from(index)
            .ok()
            .and_then(|index| 1u64.checked_shl(index))
            .unwrap_or(0)
    }
}

/// A row of a result, read through its result's [`CheckedColumns`].
#[derive(Clone, Copy)]
pub struct RowValues<'r> {
    row: &'r PgRow,
    checked: &'r CheckedColumns,
}

impl<'r> RowValues<'r> {
    pub fn new(row: &'r PgRow, checked: &'r CheckedColumns) -> Self {
        RowValues { row, checked }
    }

    /// The error for a value of column `index` (one the row has) that could
    /// not be decoded, naming the column as `name (index)`.
    pub fn undecodable(&self, index: usize, source: sqlx::error::BoxDynError) -> sqlx::Error {
        sqlx::Error::ColumnDecode {
            index: format!("{} ({index})", self.row.columns()[index].name()),
            source,
        }
    }

    /// Column `index` decoded as `T`. The first time the result's column is
    /// decoded, its type as the result describes it must be one `T` decodes,
    /// as `Row::try_get` requires of every value; a null is checked as well,
    /// since the description, not the value, carries the type.
    ///
    /// Always inlined, with the check out of line: left to the compiler, or
    /// with the check in it, `get` was called rather than inlined into the
    /// decoders, and the calls cost most of what skipping the checks saved
    /// (a read at 100,000 listings: 1.0 s of CPU inlined, 1.1 s called,
    /// 1.2 s with every value checked).
    #[inline(always)]
    pub fn get<T>(&self, index: usize) -> Result<T, sqlx::Error>
    where
        T: Decode<'r, Postgres> + Type<Postgres>,
    {
        let bit = CheckedColumns::bit(index);
        if bit == 0 || self.checked.0.get() & bit == 0 {
            self.check::<T>(index)?;
            self.checked.0.set(self.checked.0.get() | bit);
        }
        self.row.try_get_unchecked(index)
    }

    /// Whether column `index`, as the result describes it, decodes as `T`.
    #[cold]
    #[inline(never)]
    fn check<T: Type<Postgres>>(&self, index: usize) -> Result<(), sqlx::Error> {
        let found = self.row.try_column(index)?.type_info();
        if found.is_null() || T::compatible(found) {
            return Ok(());
        }
        Err(self.undecodable(index, sqlx::error::mismatched_types::<Postgres, T>(found)))
    }
}

#[cfg(test)]
mod tests {
    use super::CheckedColumns;

    #[test]
    fn each_of_the_first_64_columns_has_a_bit_of_its_own_and_later_ones_have_none() {
        let bits: Vec<u64> = (0..64).map(CheckedColumns::bit).collect();
        assert!(bits.iter().all(|bit| bit.count_ones() == 1));
        assert_eq!(bits.iter().fold(0, |all, bit| all | bit), u64::MAX);
        assert_eq!(CheckedColumns::bit(64), 0);
        assert_eq!(CheckedColumns::bit(usize::MAX), 0);
    }
}
