//! Pagination of typed calls: [`Paginated`], which the generator implements with
//! [`paged!`](crate::paged) for every action whose answers come in pages, and [`Pager`], the
//! one rule that follows them to the end (the transports' paginators drive it).
//!
//! [`Pager`] stops at an empty page, the total reached, a short page (fewer items than the
//! `Limit` or `PageSize` sent) when the answer has no total, no next token, or the caller's cap; it never loops: a page with
//! the same items as the one before, or a next token already sent, is a [`PageError`].

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use tencentcloud_core::action::Action;

/// How an action asks for its next page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// `Offset` + `Limit`: the next offset is the last plus the items received.
    Offset,
    /// A page number (`PageNumber`, `PageNo`, `PageIndex`, `Page`) + `PageSize`: the next
    /// page is the last plus one (the first is the one sent, else 1).
    Page,
    /// `NextToken` in and out: the next token is the one answered.
    Token,
}

/// A request whose answers come in pages (implemented by the generated crates).
pub trait Paginated: Action + Clone {
    /// One item of a page's list.
    type Item;
    /// How the next page is asked for.
    const CURSOR: Cursor;
    /// The page's list (empty when absent).
    fn items(resp: &Self::Response) -> &[Self::Item];
    /// The listing's total, when the answer has one.
    fn total(resp: &Self::Response) -> Option<u64>;
    /// The page size this request asks for (`Limit`, `PageSize`), when it sets one.
    fn page_size(&self) -> Option<u64>;
    /// The token this request sends (`Token` cursors only).
    fn sent_token(&self) -> Option<&str>;
    /// The answer's next token (`Token` cursors only; empty counts as none).
    fn next_token(resp: &Self::Response) -> Option<&str>;
    /// This request moved past `resp` (offset plus its items, page plus one, or the
    /// answered token); `None` when there is no next cursor.
    fn next_request(&self, resp: &Self::Response) -> Option<Self>;
}

/// A page count or offset as a request field holds it: a number, or text (VPC's `Offset`).
pub trait PageNum: Sized {
    /// The value, when it is a non-negative number.
    fn to_u64(&self) -> Option<u64>;
    /// The field's value for `n`.
    fn from_u64(n: u64) -> Self;
}

impl PageNum for i64 {
    fn to_u64(&self) -> Option<u64> {
        u64::try_from(*self).ok()
    }
    fn from_u64(n: u64) -> Self {
        i64::try_from(n).unwrap_or(i64::MAX)
    }
}

impl PageNum for i128 {
    fn to_u64(&self) -> Option<u64> {
        u64::try_from(*self).ok()
    }
    fn from_u64(n: u64) -> Self {
        n.into()
    }
}

impl PageNum for String {
    fn to_u64(&self) -> Option<u64> {
        self.trim().parse().ok()
    }
    fn from_u64(n: u64) -> Self {
        n.to_string()
    }
}

/// Why following the pages stopped with an error: the server would have made it loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    /// Page `page` (from 1) has the same items as the page before it.
    RepeatedPage {
        /// The page's number in this listing.
        page: u64,
    },
    /// Page `page` answered a next token that was already sent.
    RepeatedToken {
        /// The page's number in this listing.
        page: u64,
    },
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageError::RepeatedPage { page } => {
                write!(f, "page {page} has the same items as page {}: stopped rather than loop", page - 1)
            }
            PageError::RepeatedToken { page } => {
                write!(f, "page {page} answered a next token already sent: stopped rather than loop")
            }
        }
    }
}

impl core::error::Error for PageError {}

enum Next<R> {
    Request(R),
    Failed(PageError),
    Done,
}

/// Follows a [`Paginated`] request page by page, without I/O: ask [`Pager::request`], send
/// it, give the answer to [`Pager::advance`], repeat.
///
/// ```
/// # use tencentcloud_runtime::{Cursor, Pager, Paginated, paged};
/// tencentcloud_runtime::model! { write debug; Req { "Offset" offset set_offset: i64, "Limit" limit set_limit: i64 } }
/// tencentcloud_runtime::model! { both debug; Resp { "Set" set set_set: list i64, "TotalCount" total_count set_total_count: i64 } }
/// tencentcloud_runtime::action!("svc", "2020-01-01", "DescribeThings", Req => Resp);
/// paged!(Req, offset offset limit, [set]: i64, [total_count]);
///
/// let mut pager = Pager::new(Req::new().set_limit(2));
/// let mut all: Vec<i64> = Vec::new();
/// while let Some(req) = pager.request().unwrap() {
///     let page: Vec<i64> = (0..5).skip(req.offset.unwrap_or(0) as usize).take(2).collect();
///     let resp = Resp::new().set_set(page.clone()).set_total_count(5);
///     let take = pager.advance(&resp);
///     all.extend(&page[..take]);
/// }
/// assert_eq!(all, [0, 1, 2, 3, 4]);
/// assert_eq!(pager.pages(), 3);
/// ```
pub struct Pager<R: Paginated> {
    next: Next<R>,
    /// Items the server answered (uncapped).
    seen: u64,
    /// Items handed out (capped).
    given: u64,
    pages: u64,
    max_items: Option<u64>,
    tokens: Vec<String>,
    last: Option<Vec<R::Item>>,
}

impl<R: Paginated> fmt::Debug for Pager<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pager")
            .field("action", &R::ACTION)
            .field("pages", &self.pages)
            .field("items", &self.given)
            .finish()
    }
}

impl<R> Pager<R>
where
    R: Paginated,
    R::Item: Clone + PartialEq,
{
    /// Starts at `first` (its own offset, page or token, if it sets one).
    pub fn new(first: R) -> Self {
        Pager {
            next: Next::Request(first),
            seen: 0,
            given: 0,
            pages: 0,
            max_items: None,
            tokens: Vec::new(),
            last: None,
        }
    }

    /// Hands out at most `n` items (no more pages are asked for once they are in).
    pub fn max_items(mut self, n: u64) -> Self {
        self.max_items = Some(n);
        if n == 0 {
            self.next = Next::Done;
        }
        self
    }

    /// The request of the next page; `Ok(None)` at the end; the error once, when the server
    /// would have made it loop (then `Ok(None)`).
    pub fn request(&mut self) -> Result<Option<&R>, PageError> {
        if let Next::Failed(_) = self.next {
            let Next::Failed(e) = core::mem::replace(&mut self.next, Next::Done) else { unreachable!() };
            return Err(e);
        }
        Ok(match &self.next {
            Next::Request(r) => Some(r),
            _ => None,
        })
    }

    /// Takes the answer to [`Pager::request`]: how many of its items to hand out (all of them
    /// unless the cap cuts the page short; none when the page repeats the one before).
    pub fn advance(&mut self, resp: &R::Response) -> usize {
        let Next::Request(req) = core::mem::replace(&mut self.next, Next::Done) else { return 0 };
        self.pages += 1;
        let items = R::items(resp);
        let n = items.len() as u64;
        if n > 0 && self.last.as_deref() == Some(items) {
            self.next = Next::Failed(PageError::RepeatedPage { page: self.pages });
            return 0;
        }
        self.seen += n;
        let take = self.max_items.map_or(n, |cap| n.min(cap - self.given));
        self.given += take;
        // A known total rules over a short page (a server may give fewer than asked).
        let short = R::CURSOR != Cursor::Token && req.page_size().is_some_and(|s| n < s);
        let end = n == 0
            || self.max_items.is_some_and(|cap| self.given >= cap)
            || R::total(resp).map_or(short, |t| self.seen >= t);
        if !end {
            if R::CURSOR == Cursor::Token {
                if self.tokens.is_empty()
                    && let Some(first) = req.sent_token()
                {
                    self.tokens.push(first.into());
                }
                if let Some(t) = R::next_token(resp) {
                    if self.tokens.iter().any(|s| s == t) {
                        self.next = Next::Failed(PageError::RepeatedToken { page: self.pages });
                        return take as usize;
                    }
                    self.tokens.push(t.into());
                }
            }
            if let Some(next) = req.next_request(resp) {
                self.next = Next::Request(next);
            }
        }
        self.last = Some(items.to_vec());
        take as usize
    }

    /// Pages answered so far.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// Items handed out so far.
    pub fn items(&self) -> u64 {
        self.given
    }
}

/// Implements [`Paginated`] for a generated request type, in one line:
///
/// ```text
/// paged!(Request, offset <offset field> <limit field>, [<list accessor>]: Item, [<total accessor>]);
/// paged!(Request, page <page field> <size field>, [<object accessor> <list accessor>]: Item, []);
/// paged!(Request, token <request token field> <answer token accessor>, [<list>]: Item, [<total>]);
/// ```
/// The request's fields are read directly (they are public), the answer's through its
/// accessors; a path of two names reaches one object down (`Data.List`).
#[macro_export]
macro_rules! paged {
    ($req:ident, offset $off:ident $lim:ident, [$($l:ident)+]: $item:ty, [$($t:ident)*]) => {
        $crate::__paged!($req, $item, Offset, [$($l)+], [$($t)*],
            fn page_size(&self) -> ::core::option::Option<u64> {
                self.$lim.as_ref().and_then($crate::PageNum::to_u64)
            }
            fn sent_token(&self) -> ::core::option::Option<&str> {
                ::core::option::Option::None
            }
            fn next_token(_: &Self::Response) -> ::core::option::Option<&str> {
                ::core::option::Option::None
            }
            fn next_request(&self, resp: &Self::Response) -> ::core::option::Option<Self> {
                let at = self.$off.as_ref().and_then($crate::PageNum::to_u64).unwrap_or(0);
                let mut next = ::core::clone::Clone::clone(self);
                next.$off = ::core::option::Option::Some($crate::PageNum::from_u64(
                    at.saturating_add(<Self as $crate::Paginated>::items(resp).len() as u64),
                ));
                ::core::option::Option::Some(next)
            }
        );
    };
    ($req:ident, page $page:ident $size:ident, [$($l:ident)+]: $item:ty, [$($t:ident)*]) => {
        $crate::__paged!($req, $item, Page, [$($l)+], [$($t)*],
            fn page_size(&self) -> ::core::option::Option<u64> {
                self.$size.as_ref().and_then($crate::PageNum::to_u64)
            }
            fn sent_token(&self) -> ::core::option::Option<&str> {
                ::core::option::Option::None
            }
            fn next_token(_: &Self::Response) -> ::core::option::Option<&str> {
                ::core::option::Option::None
            }
            fn next_request(&self, _: &Self::Response) -> ::core::option::Option<Self> {
                let at = self.$page.as_ref().and_then($crate::PageNum::to_u64).unwrap_or(1);
                let mut next = ::core::clone::Clone::clone(self);
                next.$page = ::core::option::Option::Some($crate::PageNum::from_u64(at.saturating_add(1)));
                ::core::option::Option::Some(next)
            }
        );
    };
    ($req:ident, token $tok:ident $answer:ident, [$($l:ident)+]: $item:ty, [$($t:ident)*]) => {
        $crate::__paged!($req, $item, Token, [$($l)+], [$($t)*],
            fn page_size(&self) -> ::core::option::Option<u64> {
                ::core::option::Option::None
            }
            fn sent_token(&self) -> ::core::option::Option<&str> {
                self.$tok.as_deref()
            }
            fn next_token(resp: &Self::Response) -> ::core::option::Option<&str> {
                resp.$answer().filter(|t| !t.is_empty())
            }
            fn next_request(&self, resp: &Self::Response) -> ::core::option::Option<Self> {
                let t = <Self as $crate::Paginated>::next_token(resp)?;
                let mut next = ::core::clone::Clone::clone(self);
                next.$tok = ::core::option::Option::Some(t.into());
                ::core::option::Option::Some(next)
            }
        );
    };
}

/// The expansion of [`paged!`](crate::paged); not a public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __paged {
    ($req:ident, $item:ty, $cursor:ident, [$l:ident], [$($t:ident)*], $($body:tt)*) => {
        $crate::__paged!(@impl $req, $item, $cursor, resp, resp.$l(), [$($t)*], $($body)*);
    };
    ($req:ident, $item:ty, $cursor:ident, [$o:ident $l:ident], [$($t:ident)*], $($body:tt)*) => {
        $crate::__paged!(@impl $req, $item, $cursor, resp, resp.$o().map_or(&[], |o| o.$l()), [$($t)*], $($body)*);
    };
    (@impl $req:ident, $item:ty, $cursor:ident, $resp:ident, $items:expr, [$($t:ident)*], $($body:tt)*) => {
        impl $crate::Paginated for $req {
            type Item = $item;
            const CURSOR: $crate::Cursor = $crate::Cursor::$cursor;
            fn items($resp: &Self::Response) -> &[$item] {
                $items
            }
            fn total(resp: &Self::Response) -> ::core::option::Option<u64> {
                $crate::__paged!(@total resp, [$($t)*])
            }
            $($body)*
        }
    };
    (@total $resp:ident, []) => {{
        let _ = $resp;
        ::core::option::Option::None
    }};
    (@total $resp:ident, [$t:ident]) => { $resp.$t().and_then(|n| $crate::PageNum::to_u64(&n)) };
    (@total $resp:ident, [$o:ident $t:ident]) => {
        $resp.$o().and_then(|o| o.$t()).and_then(|n| $crate::PageNum::to_u64(&n))
    };
}

#[cfg(test)]
#[allow(dead_code)]
mod tests {
    use super::*;
    use alloc::vec;

    crate::model! { both debug; OffReq { "Offset" offset set_offset: str, "Limit" limit set_limit: str } }
    crate::model! { both debug; OffResp { "VpcSet" vpc_set set_vpc_set: list i64, "TotalCount" total_count set_total_count: i128 } }
    crate::action!("vpc", "2017-03-12", "DescribeVpcs", OffReq => OffResp);
    crate::paged!(OffReq, offset offset limit, [vpc_set]: i64, [total_count]);

    crate::model! { both debug; PageReq { "PageNumber" page_number set_page_number: i128, "PageSize" page_size set_page_size: i128 } }
    crate::model! { both debug; Data { "List" list set_list: list String, "Total" total set_total: i64 } }
    crate::model! { both debug; PageResp { "Data" data set_data: boxed Data } }
    crate::action!("x", "2020-01-01", "DescribeX", PageReq => PageResp);
    crate::paged!(PageReq, page page_number page_size, [data list]: String, [data total]);

    crate::model! { both debug; TokReq { "NextToken" next_token set_next_token: str } }
    crate::model! { both debug; TokResp { "Items" items set_items: list i64, "NextToken" next_token set_next_token: str } }
    crate::action!("y", "2020-01-01", "ListY", TokReq => TokResp);
    crate::paged!(TokReq, token next_token next_token, [items]: i64, []);

    /// Runs `pager` over `answer` (the answer to each request), collecting the items.
    fn run<R>(mut pager: Pager<R>, answer: impl Fn(&R) -> R::Response) -> (Vec<R::Item>, Result<(), PageError>)
    where
        R: Paginated,
        R::Item: Clone + PartialEq,
    {
        let mut out = Vec::new();
        for _ in 0..100 {
            let req = match pager.request() {
                Ok(Some(r)) => r.clone(),
                Ok(None) => return (out, Ok(())),
                Err(e) => return (out, Err(e)),
            };
            let resp = answer(&req);
            let take = pager.advance(&resp);
            out.extend_from_slice(&R::items(&resp)[..take]);
        }
        panic!("looped")
    }

    fn vpcs(req: &OffReq) -> OffResp {
        let at: usize = req.offset.as_deref().unwrap_or("0").parse().unwrap();
        let size: usize = req.limit.as_deref().unwrap_or("20").parse().unwrap();
        OffResp::new().set_vpc_set((0..250i64).skip(at).take(size)).set_total_count(250)
    }

    #[test]
    fn text_offsets_reach_the_total() {
        let (items, end) = run(Pager::new(OffReq::new().set_limit("100")), vpcs);
        assert_eq!((items, end), ((0..250).collect(), Ok(())));
        let next = OffReq::new().set_offset("7").next_request(&vpcs(&OffReq::new().set_limit("3"))).unwrap();
        assert_eq!(next.offset.as_deref(), Some("10"));
        // The cap cuts the page it falls in and asks no further.
        let pager = Pager::new(OffReq::new().set_limit("100")).max_items(150);
        assert_eq!(run(pager, vpcs).0, (0..150).collect::<Vec<_>>());
        assert_eq!(run(Pager::new(OffReq::new()).max_items(0), vpcs).0, Vec::<i64>::new());
    }

    #[test]
    fn a_known_total_rules_over_a_short_page() {
        // The server gives 40 where 100 were asked: the total says there are more.
        let capped = |r: &OffReq| vpcs(&r.clone().set_limit("40"));
        let (items, end) = run(Pager::new(OffReq::new().set_limit("100")), capped);
        assert_eq!((items.len(), end), (250, Ok(())));
    }

    #[test]
    fn a_server_ignoring_the_offset_is_an_error() {
        let (items, end) = run(Pager::new(OffReq::new().set_limit("100")), |_| vpcs(&OffReq::new().set_limit("100")));
        assert_eq!((items.len(), end), (100, Err(PageError::RepeatedPage { page: 2 })));
        assert_eq!(
            PageError::RepeatedPage { page: 2 }.to_string(),
            "page 2 has the same items as page 1: stopped rather than loop"
        );
    }

    #[test]
    fn pages_end_short_or_empty_without_a_total() {
        let answer = |r: &PageReq| {
            let page = r.page_number.unwrap_or(1) as usize;
            let size = r.page_size.unwrap_or(10) as usize;
            let list: Vec<String> = (0..25).skip((page - 1) * size).take(size).map(|i| i.to_string()).collect();
            PageResp::new().set_data(Data::new().set_list(list))
        };
        let (items, end) = run(Pager::new(PageReq::new().set_page_size(10)), answer);
        assert_eq!((items.len(), end), (25, Ok(())));
        // No page size: only an empty page ends it.
        let (items, _) = run(Pager::new(PageReq::new()), answer);
        assert_eq!(items.len(), 25);
        assert_eq!(PageReq::total(&PageResp::new().set_data(Data::new().set_total(4))), Some(4));
        assert!(PageReq::items(&PageResp::new()).is_empty());
    }

    #[test]
    fn tokens_end_without_one_and_never_repeat() {
        let answer = |r: &TokReq| {
            let at: i64 = r.next_token.as_deref().map_or(0, |t| t.parse().unwrap());
            let resp = TokResp::new().set_items(at..(at + 10).min(35));
            if at + 10 < 35 { resp.set_next_token((at + 10).to_string()) } else { resp.set_next_token("") }
        };
        assert_eq!(run(Pager::new(TokReq::new()), answer), ((0..35).collect(), Ok(())));
        // A server answering the token it was sent: the page is handed out, then the error.
        let stuck =
            |r: &TokReq| TokResp::new().set_items([r.next_token.as_deref().map_or(1, |_| 2)]).set_next_token("a");
        let (items, end) = run(Pager::new(TokReq::new()), stuck);
        assert_eq!((items, end), (vec![1, 2], Err(PageError::RepeatedToken { page: 2 })));
        let (items, end) = run(Pager::new(TokReq::new().set_next_token("a")), stuck);
        assert_eq!((items, end), (vec![2], Err(PageError::RepeatedToken { page: 1 })));
    }
}
