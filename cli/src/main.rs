//! The `tcloud` command.

fn main() {}
