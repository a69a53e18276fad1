//! [`Error`]: what went wrong while reading or writing JSON, and where.
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// The result type of this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// What [`FromJson::from_json`](crate::FromJson::from_json) returns: `Ok(None)` when the
/// value reads as absent.
pub type Read<T> = Result<Option<T>>;

/// What went wrong. Never holds a value from the document (it may be a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not JSON: `what` was expected at byte `offset`.
    Syntax {
        /// Byte offset in the input.
        offset: usize,
        /// What the parser expected there.
        what: &'static str,
    },
    /// The document nests deeper than the limit.
    TooDeep {
        /// The depth limit.
        limit: usize,
    },
    /// A value of another JSON type than the field's (after the tolerant readings).
    Type {
        /// What the field holds (`an integer`).
        expected: &'static str,
        /// What the document has there (`an object`).
        found: &'static str,
    },
    /// A number outside the field's range, or not of its form (a fraction in an integer).
    Range {
        /// What the field holds (`a 64-bit integer`).
        expected: &'static str,
    },
    /// A list holds `null`.
    NullItem,
    /// A float that JSON cannot carry (NaN or infinite) was to be written.
    NotFinite,
    /// The answer has no `{"Response": {...}}` object.
    NoResponse,
    /// A member that gives the answer its meaning (`Response`, `Error`, `RequestId`, the
    /// error's `Code` or `Message`) appears twice in one object: readers disagree on which
    /// counts, so the answer is refused.
    DuplicateMember {
        /// The member's name.
        name: &'static str,
    },
    /// `Response.Error` is there (not `null`) but is not an object with a string `Code`
    /// (and, when present, a string `Message`): a malformed error, never a success.
    InvalidError,
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Field(&'static str),
    Index(usize),
}

/// A JSON error with the path of the field it concerns (`Response.InstanceSet[3].CPU`).
/// One pointer wide, so every `Result` of the reader stays small on its hot path.
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<Inner>);

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    /// Innermost first (pushed while unwinding).
    path: Vec<Seg>,
}

impl Error {
    /// An error of `kind` at the root of the document.
    #[cold]
    pub fn new(kind: ErrorKind) -> Self {
        Error(Box::new(Inner { kind, path: Vec::new() }))
    }

    /// A type mismatch.
    #[cold]
    pub fn expected(expected: &'static str, found: &'static str) -> Self {
        Error::new(ErrorKind::Type { expected, found })
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// The field path, `Response.InstanceSet[3].CPU` (empty at the root).
    pub fn path(&self) -> String {
        let mut s = String::new();
        for seg in self.0.path.iter().rev() {
            match seg {
                Seg::Field(name) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(name);
                }
                Seg::Index(i) => {
                    use core::fmt::Write;
                    let _ = write!(s, "[{i}]");
                }
            }
        }
        s
    }

    /// The same error one field further out.
    #[cold]
    pub fn in_field(mut self, name: &'static str) -> Self {
        self.0.path.push(Seg::Field(name));
        self
    }

    /// The same error one list item further out.
    #[cold]
    pub fn in_item(mut self, index: usize) -> Self {
        self.0.path.push(Seg::Index(index));
        self
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Syntax { offset, what } => write!(f, "invalid JSON at byte {offset}: expected {what}"),
            ErrorKind::TooDeep { limit } => write!(f, "JSON nested deeper than {limit} levels"),
            ErrorKind::Type { expected, found } => write!(f, "expected {expected}, found {found}"),
            ErrorKind::Range { expected } => write!(f, "number out of range: expected {expected}"),
            ErrorKind::NullItem => f.write_str("null in a list"),
            ErrorKind::NotFinite => f.write_str("a float that is NaN or infinite cannot be sent"),
            ErrorKind::NoResponse => f.write_str("no {\"Response\": {...}} object in the answer"),
            ErrorKind::DuplicateMember { name } => write!(f, "the member {name:?} appears twice"),
            ErrorKind::InvalidError => f.write_str("an Error member that is not an object with a string Code"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.path.is_empty() {
            write!(f, "{}", self.0.kind)
        } else {
            write!(f, "{}: {}", self.path(), self.0.kind)
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error").field("path", &self.path()).field("kind", &self.0.kind).finish()
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use alloc::string::ToString;

    #[test]
    fn path_reads_outermost_first() {
        let e = Error::expected("an integer", "an object")
            .in_field("CPU")
            .in_item(3)
            .in_field("InstanceSet")
            .in_field("Response");
        assert_eq!(e.path(), "Response.InstanceSet[3].CPU");
        assert_eq!(e.to_string(), "Response.InstanceSet[3].CPU: expected an integer, found an object");
        assert_eq!(Error::new(ErrorKind::NullItem).in_item(0).path(), "[0]");
    }
}
