//! Streaming every item of a `page`/`perPage` list operation.

use std::collections::VecDeque;
use std::future::Future;

use futures::Stream;

use super::Error;

/// One page of a list response (`{items, count, totalCount,
/// perPage, page}` collections). Generated code implements this for every
/// collection type.
pub trait Page {
    /// The type of one item.
    type Item;
    /// The items of this page, in order.
    fn into_items(self) -> Vec<Self::Item>;
    /// The total number of items across all pages, when the API reports it.
    fn total_count(&self) -> Option<u64>;
    /// The page size the API used, when it reports it.
    fn per_page(&self) -> Option<u64>;
}

/// What the stream carries between items.
struct State<F, T> {
    fetch: F,
    /// The next page to fetch; `None` once the last page was seen (or failed).
    next_page: Option<u64>,
    /// Items fetched but not yet yielded.
    items: VecDeque<T>,
    /// Items yielded so far.
    yielded: u64,
}

/// Streams all items across pages, fetching lazily: `fetch(page)` returns
/// one page, starting at `first_page` (pages are 0-based) and
/// incrementing by one.
///
/// The stream ends after a page that is empty, shorter than its `perPage`,
/// or with which `(page + 1) * perPage >= totalCount` (or, without `perPage`,
/// once `totalCount` items have been yielded). An error is yielded once and
/// ends the stream.
///
/// The stream is not `Unpin`; use `futures::pin_mut!` or `Box::pin` before
/// calling `next()`.
pub fn paginate<P, T, F, Fut>(first_page: u64, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    P: Page<Item = T>,
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<P, Error>>,
{
    let state = State { fetch, next_page: Some(first_page), items: VecDeque::new(), yielded: 0 };
    futures::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.items.pop_front() {
                st.yielded += 1;
                return Some((Ok(item), st));
            }
            let page = st.next_page.take()?;
            match (st.fetch)(page).await {
                // `next_page` stays `None`: the stream ends after the error.
                Err(e) => return Some((Err(e), st)),
                Ok(p) => {
                    let total = p.total_count();
                    let per_page = p.per_page().filter(|n| *n > 0);
                    let got = p.into_items();
                    let len = got.len() as u64;
                    let seen = st.yielded + len;
                    let last = len == 0
                        || per_page.is_some_and(|pp| len < pp)
                        || match (total, per_page) {
                            (Some(t), Some(pp)) => page.saturating_add(1).saturating_mul(pp) >= t,
                            (Some(t), None) => seen >= t,
                            _ => false,
                        };
                    if !last {
                        st.next_page = page.checked_add(1);
                    }
                    st.items.extend(got);
                }
            }
        }
    })
}
