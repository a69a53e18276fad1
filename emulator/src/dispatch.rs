//! Routes a verified request: the schema's lookup, then the first backend that serves the
//! action (checked against the input shape unless it checks alone), else the catalog's stateless
//! answer (a documented example or the output shape).

use crate::backend::{Backend, Check};
use crate::catalog;
use crate::error::ApiError;
use crate::record::AnswerSource;
use crate::request::{ApiRequest, Outcome};
use crate::state::State;

/// Answers `req` and says where the answer came from.
pub(crate) fn dispatch(
    state: &State,
    backends: &[Box<dyn Backend>],
    req: &ApiRequest<'_>,
) -> (Result<Outcome, ApiError>, AnswerSource) {
    let action = catalog::lookup(req.service, req.version, req.action);
    for backend in backends {
        let Some(check) = backend.serves(req.service, req.action, action.as_ref().ok()) else { continue };
        if let (Check::Schema, Ok(a)) = (check, &action)
            && let Err(e) = catalog::validate(a, &req.params)
        {
            return (Err(e), AnswerSource::Stateful);
        }
        return (backend.answer(state, req, action.as_ref().ok()), AnswerSource::Stateful);
    }
    let action = match action {
        Ok(a) => a,
        Err(e) => return (Err(e), AnswerSource::Stateful),
    };
    if let Err(e) = catalog::validate(&action, &req.params) {
        return (Err(e), AnswerSource::Stateful);
    }
    let (answer, source) = catalog::answer(&action, &req.params);
    (answer.map(Outcome::Json), source)
}
