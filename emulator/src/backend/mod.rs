//! The backends behind the front door. The dispatcher asks them in order; the first that serves
//! an action answers it, and an action none serves gets the stateless answer of the catalog.

pub(crate) mod cam;
pub(crate) mod canned;
pub(crate) mod cbs;
pub(crate) mod cdb;
pub(crate) mod clb;
pub(crate) mod cvm;
pub(crate) mod events;
pub(crate) mod kms;
pub(crate) mod redis;
pub(crate) mod resources;
pub(crate) mod ssm;
pub(crate) mod sts;
pub(crate) mod tke;
pub(crate) mod vpc;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use tencentcloud_schema::ActionRef;

use crate::error::ApiError;
use crate::request::{ApiRequest, Outcome};
use crate::state::State;
use crate::store::Store;

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
    /// `schema` is the action when the schema has it at the requested version.
    fn serves(&self, service: &str, action: &str, schema: Option<&ActionRef<'static>>) -> Option<Check>;

    /// Answers a request it serves (`schema`: the action, when the schema has it).
    fn answer(
        &self,
        state: &State,
        req: &ApiRequest<'_>,
        schema: Option<&ActionRef<'static>>,
    ) -> Result<Outcome, ApiError>;
}

/// A hand-written backend keeping one service's resources in the store (KMS, CAM users, CDB,
/// Redis, TKE): it serves its `ACTIONS` of `SERVICE` at `VERSION`, checked against the schema,
/// and answers JSON. Its [`Backend`] impl is this shared preamble.
pub(crate) trait Stateful: Send + Sync {
    /// The service it serves.
    const SERVICE: &'static str;
    /// The only version of the service it serves.
    const VERSION: &'static str;
    /// The actions it serves.
    const ACTIONS: &'static [&'static str];

    /// The answer to `req`, whose schema is `action` and parameters `p`.
    fn call(
        &self,
        state: &State,
        req: &ApiRequest<'_>,
        action: &ActionRef<'static>,
        p: &Map<String, Value>,
    ) -> Result<Map<String, Value>, ApiError>;
}

impl<T: Stateful> Backend for T {
    fn serves(&self, service: &str, action: &str, schema: Option<&ActionRef<'static>>) -> Option<Check> {
        let ours = service == T::SERVICE && T::ACTIONS.contains(&action);
        (ours && schema.is_some_and(|s| s.version.version == T::VERSION)).then_some(Check::Schema)
    }

    fn answer(
        &self,
        state: &State,
        req: &ApiRequest<'_>,
        schema: Option<&ActionRef<'static>>,
    ) -> Result<Outcome, ApiError> {
        let action = schema.ok_or_else(|| ApiError::new("InternalError", "No schema."))?;
        let p = req.params.as_object().cloned().unwrap_or_default();
        self.call(state, req, action, &p).map(Outcome::Json)
    }
}

/// The backends, in the order they are asked.
pub(crate) type Backends = Vec<Box<dyn Backend>>;

/// The hand-written backends (KMS keys, CAM users, CDB and Redis instances, TKE clusters when
/// `all`), then the spec-driven one over `store` with
/// the hand-written behaviours of its families: every complete family when `all`, else only
/// those that are always on (CVM instances; their transitions, CBS disks' and CLB load balancers' take `boot`).
pub(crate) fn all(store: Arc<Store>, all: bool, boot: Duration) -> Backends {
    let behaviours: Vec<Box<dyn resources::Behaviour>> = vec![
        Box::new(cvm::Instances { boot }),
        Box::new(vpc::Vpcs),
        Box::new(vpc::Subnets),
        Box::new(vpc::SecurityGroups),
        Box::new(cbs::Disks { delay: boot }),
        Box::new(ssm::Secrets),
        Box::new(cam::Roles),
        Box::new(clb::LoadBalancers { delay: boot }),
        Box::new(clb::Listeners),
    ];
    let mut backends: Backends =
        vec![Box::new(canned::Canned), Box::new(events::Events), Box::new(cvm::Cvm), Box::new(sts::Sts)];
    if all {
        backends.push(Box::new(kms::Kms { store: store.clone() }));
        backends.push(Box::new(cam::Users { store: store.clone() }));
        backends.push(Box::new(cdb::Cdb { store: store.clone(), delay: boot }));
        backends.push(Box::new(redis::Redis { store: store.clone(), delay: boot }));
        backends.push(Box::new(tke::Tke { store: store.clone(), delay: boot }));
    }
    backends.push(Box::new(resources::Resources::new(store, behaviours, all)));
    backends
}
