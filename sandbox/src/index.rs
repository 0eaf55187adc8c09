//! Sorted listing indexes: with one, a page costs a binary search and about
//! `limit` steps instead of a scan, filter and partial sort of the whole
//! collection (which made a full read of a large dataset quadratic). An
//! index holds rows of a collection sorted by (sort key, id) ascending:
//! every row, or for a view only the tickets its rule accepts (a sparse view
//! would otherwise walk thousands of other tickets per page). Filters are
//! applied while walking it, so pages, cursors and the `next`/`prev` flags
//! are exactly those of the scan. An index is built on first use and rebuilt
//! on first use after the store changes.

use std::sync::{Arc, Mutex};

use crate::lock::lock;

/// (sort key, id, position in the store's collection).
pub(crate) type Entry<K> = (K, i64, usize);

type Built<T, K> = (T, String, (i64, usize), Arc<Vec<Entry<K>>>);

/// Indexes told apart by what they list (`T`: a collection, a view) and the
/// field they sort on.
pub(crate) struct Indexes<T, K> {
    built: Mutex<Vec<Built<T, K>>>,
}

impl<T, K> Default for Indexes<T, K> {
    fn default() -> Self {
        Indexes {
            built: Mutex::new(Vec::new()),
        }
    }
}

impl<T: PartialEq, K: Ord> Indexes<T, K> {
    /// The index of `of` on `field`, valid for the store at `version`
    /// (any change to the store must change the version).
    pub(crate) fn get(
        &self,
        of: T,
        field: &str,
        version: (i64, usize),
        rows: impl FnOnce() -> Vec<Entry<K>>,
    ) -> Arc<Vec<Entry<K>>> {
        let mut built = lock(&self.built);
        if let Some(b) = built.iter().find(|b| b.0 == of && b.1 == field) {
            if b.2 == version {
                return Arc::clone(&b.3);
            }
        }
        let mut v = rows();
        v.sort_unstable_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let v = Arc::new(v);
        built.retain(|b| !(b.0 == of && b.1 == field));
        built.push((of, field.to_string(), version, Arc::clone(&v)));
        v
    }
}

/// One page in listing order (ascending, or all of it reversed when `desc`):
/// the first `limit` matching rows after the cursor (forward, or no cursor)
/// or the last `limit` before it (backward), and whether matching rows exist
/// before the page's first row and after its last.
pub(crate) fn page<'a, K: Ord>(
    idx: &'a [Entry<K>],
    desc: bool,
    cursor: Option<(bool, &K, i64)>,
    limit: usize,
    matches: impl Fn(usize) -> bool,
) -> (Vec<&'a Entry<K>>, bool, bool) {
    let n = idx.len();
    let at = |p: usize| &idx[if desc { n - 1 - p } else { p }];
    let ok = |p: usize| matches(at(p).2);
    // Listing positions: rows strictly before the cursor are 0..before_end,
    // rows strictly after it are after_start..n.
    let (before_end, after_start) = match cursor {
        None => (0, 0),
        Some((_, key, id)) => {
            let lo = idx.partition_point(|e| (&e.0, e.1) < (key, id));
            let hi = idx.partition_point(|e| (&e.0, e.1) <= (key, id));
            if desc {
                (n - hi, n - lo)
            } else {
                (lo, hi)
            }
        }
    };
    let mut picked = Vec::with_capacity(limit.min(n));
    if matches!(cursor, Some((false, _, _))) {
        let mut p = before_end;
        while p > 0 && picked.len() < limit {
            p -= 1;
            if ok(p) {
                picked.push(p);
            }
        }
        picked.reverse();
    } else {
        let mut p = after_start;
        while p < n && picked.len() < limit {
            if ok(p) {
                picked.push(p);
            }
            p += 1;
        }
    }
    let (has_prev, has_next) = match (picked.first(), picked.last()) {
        (Some(&first), Some(&last)) => ((0..first).rev().any(ok), (last + 1..n).any(ok)),
        _ => (false, false),
    };
    (picked.into_iter().map(at).collect(), has_prev, has_next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use std::cmp::Ordering::{Greater, Less};

    /// The scan this index replaced, kept as the reference.
    fn scan(
        rows: &[Entry<i64>],
        desc: bool,
        cursor: Option<(bool, &i64, i64)>,
        limit: usize,
        matches: impl Fn(usize) -> bool,
    ) -> (Vec<(i64, i64)>, bool, bool) {
        let ord = |a: (&i64, i64), b: (&i64, i64)| {
            let o = a.cmp(&b);
            if desc {
                o.reverse()
            } else {
                o
            }
        };
        let all: Vec<&Entry<i64>> = rows.iter().filter(|r| matches(r.2)).collect();
        let mut cands: Vec<&Entry<i64>> = match cursor {
            None => all.clone(),
            Some((fwd, k, id)) => {
                let want = if fwd { Greater } else { Less };
                all.iter()
                    .copied()
                    .filter(|x| ord((&x.0, x.1), (k, id)) == want)
                    .collect()
            }
        };
        cands.sort_by(|a, b| ord((&a.0, a.1), (&b.0, b.1)));
        let page: Vec<&Entry<i64>> = if matches!(cursor, Some((false, _, _))) {
            let cut = cands.len().saturating_sub(limit);
            cands[cut..].to_vec()
        } else {
            cands.into_iter().take(limit).collect()
        };
        let (p, n) = match (page.first(), page.last()) {
            (Some(f), Some(l)) => (
                all.iter().any(|x| ord((&x.0, x.1), (&f.0, f.1)) == Less),
                all.iter().any(|x| ord((&x.0, x.1), (&l.0, l.1)) == Greater),
            ),
            _ => (false, false),
        };
        (page.iter().map(|e| (e.0, e.1)).collect(), p, n)
    }

    #[test]
    fn pages_match_the_full_scan() {
        let mut rng = Rng::new(7);
        for round in 0..300 {
            let n = rng.below(60) as usize;
            let rows: Vec<Entry<i64>> = (0..n)
                .map(|i| (rng.below(8) as i64, 100 + (i as i64 * 7919) % 1000, i))
                .collect();
            let mut sorted = rows.clone();
            sorted.sort_unstable_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
            let modulus = 1 + round % 4;
            let matches = |i: usize| i.is_multiple_of(modulus);
            let limit = 1 + rng.below(12) as usize;
            let desc = rng.below(2) == 0;
            let key = rng.below(9) as i64 - 1;
            let id = 90 + rng.below(200) as i64;
            for cursor in [None, Some((true, &key, id)), Some((false, &key, id))] {
                let (page, p, nx) = page(&sorted, desc, cursor, limit, matches);
                let got: Vec<(i64, i64)> = page.iter().map(|e| (e.0, e.1)).collect();
                assert_eq!(
                    (got, p, nx),
                    scan(&rows, desc, cursor, limit, matches),
                    "round {round}, desc {desc}, cursor {cursor:?}, limit {limit}"
                );
            }
        }
    }
}
