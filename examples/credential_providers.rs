//! Credential providers (filled in by the credentials work).

fn main() {}
