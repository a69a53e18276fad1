//! `multipart/form-data` bodies (feature `alloc`), for APIs that take binary fields.
//!
//! ```
//! use tencentcloud_core::{multipart::Multipart, Request, request::Body};
//!
//! let mut form = Multipart::new("tc-boundary-1");
//! form.text("Name", "demo").file("File", "a.bin", "application/octet-stream", &[0, 1, 2]);
//! let (content_type, body) = form.finish();
//! assert_eq!(content_type, "multipart/form-data; boundary=tc-boundary-1");
//! let req = Request::new("ocr", "2018-11-19", "Upload", Body::Multipart { content_type: &content_type, body: &body });
//! assert!(req.validate().is_ok());
//! ```

use alloc::string::String;
use alloc::vec::Vec;

/// A multipart body under construction.
#[derive(Debug, Clone)]
pub struct Multipart {
    boundary: String,
    body: Vec<u8>,
}

fn quoted(name: &str) -> String {
    name.replace('\\', "\\\\").replace('"', "\\\"").replace(['\r', '\n'], " ")
}

impl Multipart {
    /// A new body with the given boundary (the caller picks one that does not occur in
    /// the data, e.g. a random token).
    pub fn new(boundary: &str) -> Self {
        Self { boundary: boundary.into(), body: Vec::new() }
    }

    fn head(&mut self, disposition: &str, content_type: Option<&str>) {
        self.body.extend_from_slice(b"--");
        self.body.extend_from_slice(self.boundary.as_bytes());
        self.body.extend_from_slice(b"\r\nContent-Disposition: form-data; ");
        self.body.extend_from_slice(disposition.as_bytes());
        if let Some(ct) = content_type {
            self.body.extend_from_slice(b"\r\nContent-Type: ");
            self.body.extend_from_slice(ct.replace(['\r', '\n'], " ").as_bytes());
        }
        self.body.extend_from_slice(b"\r\n\r\n");
    }

    /// Adds a text field.
    pub fn text(&mut self, name: &str, value: &str) -> &mut Self {
        self.head(&alloc::format!("name=\"{}\"", quoted(name)), None);
        self.body.extend_from_slice(value.as_bytes());
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// Adds a binary field with a file name and content type.
    pub fn file(&mut self, name: &str, filename: &str, content_type: &str, data: &[u8]) -> &mut Self {
        let disposition = alloc::format!("name=\"{}\"; filename=\"{}\"", quoted(name), quoted(filename));
        self.head(&disposition, Some(content_type));
        self.body.extend_from_slice(data);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// The content type (with the boundary) and the encoded body.
    pub fn finish(&mut self) -> (String, Vec<u8>) {
        let mut body = core::mem::take(&mut self.body);
        body.extend_from_slice(b"--");
        body.extend_from_slice(self.boundary.as_bytes());
        body.extend_from_slice(b"--\r\n");
        (alloc::format!("multipart/form-data; boundary={}", self.boundary), body)
    }
}
