//! [`Action`]: ties a typed request to the API call it makes.
//!
//! Every request type generated from the official specs implements it, so a transport can
//! send any of them: the service, version and action name come from the type, the body
//! from its serialization, and the answer is read into [`Action::Response`].
//!
//! ```
//! use tencentcloud_core::action::Action;
//!
//! struct DescribeRegions;
//! struct DescribeRegionsResponse;
//! impl Action for DescribeRegions {
//!     const SERVICE: &'static str = "cvm";
//!     const VERSION: &'static str = "2017-03-12";
//!     const ACTION: &'static str = "DescribeRegions";
//!     type Response = DescribeRegionsResponse;
//! }
//! assert_eq!(<DescribeRegions as Action>::ACTION, "DescribeRegions");
//! ```

/// A typed request of one API action.
pub trait Action {
    /// The service's short name, as signed and used in the endpoint (`cvm`, `as`).
    const SERVICE: &'static str;
    /// The API version sent in `X-TC-Version` (`2017-03-12`).
    const VERSION: &'static str;
    /// The action name sent in `X-TC-Action` (`DescribeInstances`).
    const ACTION: &'static str;
    /// The type of the object inside the answer's `{"Response": {...}}`.
    type Response;
}
