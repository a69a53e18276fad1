//! The backends behind the front door. The dispatcher asks them in order; the first that serves
//! an action answers it, and an action none serves gets the stateless answer of the catalog.

pub(crate) mod canned;
pub(crate) mod cvm;
pub(crate) mod sts;

use tencentcloud_schema::ActionRef;

use crate::error::ApiError;
use crate::request::{ApiRequest, Outcome};
use crate::state::State;

/// How a request is checked before a backend answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// Against the action's input shape (when the schema has the action).
    Schema,
    /// By the backend alone (it takes parameters the schema does not declare).
    Own,
}

/// A service's behaviour, hand-written or driven by the specs.
pub(crate) trait Backend: Send + Sync {
    /// Whether this backend answers `action` of `service`, and how the request is checked first;
    /// `known` says whether the schema has the action at the requested version.
    fn serves(&self, service: &str, action: &str, known: bool) -> Option<Check>;

    /// Answers a request it serves (`schema`: the action, when the schema has it).
    fn answer(
        &self,
        state: &State,
        req: &ApiRequest<'_>,
        schema: Option<&ActionRef<'static>>,
    ) -> Result<Outcome, ApiError>;
}

/// The backends, in the order they are asked.
pub(crate) type Backends = Vec<Box<dyn Backend>>;

/// The hand-written backends.
pub(crate) fn builtin() -> Backends {
    vec![Box::new(canned::Canned), Box::new(cvm::Cvm), Box::new(sts::Sts)]
}
