//! Typed pages ([`Client::pages`], [`Client::items`]): a request of any paging action (the
//! generated crates implement [`Paginated`] for them) followed to the end of its list, each
//! page one [`Client::send_with`] (so with its retries, timeouts and errors). Where a listing
//! ends, and that a server repeating a page or a token is an error, never a loop, is
//! `tencentcloud_runtime::Pager`'s rule.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use tencentcloud_runtime::{FromJson, Pager, Paginated, ToJson};

use crate::client::Client;
use crate::error::Error;
use crate::options::CallOptions;

type Sending<R> =
    Pin<Box<dyn Future<Output = Result<<R as tencentcloud_core::action::Action>::Response, Error>> + Send>>;

/// A page and how many of its items count.
type Counted<R> = (<R as tencentcloud_core::action::Action>::Response, usize);

/// The pages of a paging action, as a [`Stream`] of typed answers ([`Client::pages`]). It
/// ends after an error (a failed call, or the server repeating itself).
///
/// With [`Pages::max_items`] no page is asked for once that many items are in (the last page
/// may hold more: [`Items`] hands out exactly the cap).
pub struct Pages<R: Paginated> {
    client: Client,
    opts: CallOptions,
    pager: Pager<R>,
    sending: Option<Sending<R>>,
    /// A page's call failed: the stream has ended.
    failed: bool,
}

// No field is pinned in place: the future in flight is boxed.
impl<R: Paginated> Unpin for Pages<R> {}

impl<R: Paginated> std::fmt::Debug for Pages<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").field("pager", &self.pager).field("sending", &self.sending.is_some()).finish()
    }
}

impl<R> Pages<R>
where
    R: Paginated + ToJson + Send + Sync + 'static,
    R::Response: FromJson + Send + 'static,
    R::Item: Clone + PartialEq,
{
    pub(crate) fn new(client: Client, first: R) -> Self {
        Pages { client, opts: CallOptions::default(), pager: Pager::new(first), sending: None, failed: false }
    }

    /// Stops asking for pages once `n` items are in.
    pub fn max_items(mut self, n: u64) -> Self {
        self.pager = self.pager.max_items(n);
        self
    }

    /// Sends every page with these options.
    pub fn options(mut self, opts: CallOptions) -> Self {
        self.opts = opts;
        self
    }

    /// The items of these pages, one by one.
    pub fn items(self) -> Items<R> {
        Items { pages: self, ready: VecDeque::new() }
    }

    /// Pages answered so far.
    pub fn count(&self) -> u64 {
        self.pager.pages()
    }

    /// The next page and how many of its items count (the cap may cut it).
    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Counted<R>, Error>>> {
        loop {
            if let Some(sending) = self.sending.as_mut() {
                let answer = std::task::ready!(sending.as_mut().poll(cx));
                self.sending = None;
                let resp = match answer {
                    Ok(resp) => resp,
                    Err(e) => {
                        self.failed = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                };
                let take = self.pager.advance(&resp);
                if take == 0 && !R::items(&resp).is_empty() {
                    continue; // A repeated page: the error comes next.
                }
                return Poll::Ready(Some(Ok((resp, take))));
            }
            if self.failed {
                return Poll::Ready(None);
            }
            let request = match self.pager.request() {
                Ok(Some(r)) => r.clone(),
                Ok(None) => return Poll::Ready(None),
                Err(e) => return Poll::Ready(Some(Err(Error::paging(format!("{}: {e}", R::ACTION))))),
            };
            let (client, opts) = (self.client.clone(), self.opts.clone());
            self.sending = Some(Box::pin(async move { client.send_with(&request, &opts).await }));
        }
    }
}

impl<R> Stream for Pages<R>
where
    R: Paginated + ToJson + Send + Sync + 'static,
    R::Response: FromJson + Send + 'static,
    R::Item: Clone + PartialEq,
{
    type Item = Result<R::Response, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_page(cx).map(|p| p.map(|r| r.map(|(resp, _)| resp)))
    }
}

/// The items of a paging action's pages, as a [`Stream`] ([`Client::items`]).
pub struct Items<R: Paginated> {
    pages: Pages<R>,
    ready: VecDeque<R::Item>,
}

impl<R: Paginated> Unpin for Items<R> {}

impl<R: Paginated> std::fmt::Debug for Items<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items").field("pages", &self.pages).field("ready", &self.ready.len()).finish()
    }
}

impl<R> Items<R>
where
    R: Paginated + ToJson + Send + Sync + 'static,
    R::Response: FromJson + Send + 'static,
    R::Item: Clone + PartialEq,
{
    /// Hands out at most `n` items (no page is asked for once they are in).
    pub fn max_items(mut self, n: u64) -> Self {
        self.pages = self.pages.max_items(n);
        self
    }

    /// Sends every page with these options.
    pub fn options(mut self, opts: CallOptions) -> Self {
        self.pages = self.pages.options(opts);
        self
    }

    /// Pages answered so far.
    pub fn pages(&self) -> u64 {
        self.pages.count()
    }
}

impl<R> Stream for Items<R>
where
    R: Paginated + ToJson + Send + Sync + 'static,
    R::Response: FromJson + Send + 'static,
    R::Item: Clone + PartialEq,
{
    type Item = Result<R::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.ready.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match std::task::ready!(this.pages.poll_page(cx)) {
                Some(Ok((resp, take))) => this.ready.extend(R::items(&resp)[..take].iter().cloned()),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }
}
