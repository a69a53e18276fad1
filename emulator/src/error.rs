//! The error answered in the API envelope (`{"Response":{"Error":{"Code","Message"},...}}`).

/// An error answered in the API envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) code: String,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError { code: code.into(), message: message.into() }
    }

    /// `MissingParameter`, naming the parameter.
    pub(crate) fn missing(name: &str) -> Self {
        ApiError::new("MissingParameter", format!("The request is missing a required parameter `{name}`."))
    }

    /// `InvalidParameterValue`, naming the parameter and why.
    pub(crate) fn invalid_value(name: &str, why: &str) -> Self {
        ApiError::new("InvalidParameterValue", format!("The value of parameter `{name}` is invalid: {why}."))
    }
}
