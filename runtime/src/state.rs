//! The listings a waiter can poll for a state: [`Stateful`] names the state of each listed
//! item (`DescribeInstances`: each instance's `InstanceState`), so "every listed item is in
//! state S" can be asked of any answer. The generator implements it with [`waits!`](crate::waits)
//! where the rule in `codegen/src/waiter.rs` finds one state member.
use crate::Paginated;

/// A paging request whose listed items each have a state.
pub trait Stateful: Paginated {
    /// The state of `item`, when the answer gives one.
    fn state(item: &Self::Item) -> Option<&str>;

    /// Whether `resp` lists at least one item and every listed item is in `state`.
    ///
    /// ```
    /// use tencentcloud_runtime::{Stateful, model, paged, waits, action};
    /// model! { write debug; Req { "Offset" offset set_offset: i64, "Limit" limit set_limit: i64 } }
    /// model! { read debug; Resp { "Set" set set_set: list Item } }
    /// model! { read debug; Item { "ItemState" item_state set_item_state: str } }
    /// action!("x", "2020-01-01", "DescribeItems", Req => Resp);
    /// paged!(Req, offset offset limit, [set]: Item, []);
    /// waits!(Req, item_state);
    ///
    /// let read = |json: &str| tencentcloud_runtime::from_slice::<Resp>(json.as_bytes()).unwrap();
    /// assert!(Req::all_in(&read(r#"{"Set":[{"ItemState":"RUNNING"}]}"#), "RUNNING"));
    /// assert!(!Req::all_in(&read(r#"{"Set":[{"ItemState":"RUNNING"},{"ItemState":"PENDING"}]}"#), "RUNNING"));
    /// assert!(!Req::all_in(&read(r#"{"Set":[{}]}"#), "RUNNING"));
    /// // Nothing listed is not "all running": the wait goes on.
    /// assert!(!Req::all_in(&read(r#"{"Set":[]}"#), "RUNNING"));
    /// ```
    fn all_in(resp: &Self::Response, state: &str) -> bool {
        let items = Self::items(resp);
        !items.is_empty() && items.iter().all(|i| Self::state(i) == Some(state))
    }
}

/// Implements [`Stateful`] for a generated paging request, in one line:
/// `waits!(Request, <the item's state accessor>);`.
#[macro_export]
macro_rules! waits {
    ($req:ident, $state:ident) => {
        impl $crate::Stateful for $req {
            fn state(item: &Self::Item) -> ::core::option::Option<&str> {
                item.$state()
            }
        }
    };
}
