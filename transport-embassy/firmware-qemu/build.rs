//! Puts memory.x (and an empty device.x: the board's interrupt vector is defined in
//! `board.rs`) where the linker finds them and links with cortex-m-rt's link.x, so the image
//! builds with `--manifest-path` from anywhere (no .cargo/config needed).
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    fs::write(out.join("memory.x"), include_bytes!("memory.x")).unwrap();
    fs::write(out.join("device.x"), b"").unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
    if env::var("TARGET").is_ok_and(|t| t.starts_with("thumb")) {
        println!("cargo:rustc-link-arg=-Tlink.x");
    }
}
