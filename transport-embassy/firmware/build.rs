//! Puts the family's memory layout where the linker finds it, as `memory.x`, and links with
//! the runtime's `link.x` (cortex-m-rt's or riscv-rt's), so the image builds with
//! `--manifest-path` from anywhere (no .cargo/config needed). No file in this directory is
//! named `memory.x`: the linker would find it (in its working directory) before this one.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let target = env::var("TARGET").unwrap_or_default();
    let memory: &[u8] = if target.starts_with("thumbv6m") {
        include_bytes!("memory-m0plus.x")
    } else if target.starts_with("riscv32") {
        include_bytes!("memory-rv32.x")
    } else {
        include_bytes!("memory-m4f.x")
    };
    fs::write(out.join("memory.x"), memory).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    for file in ["memory-m4f.x", "memory-m0plus.x", "memory-rv32.x"] {
        println!("cargo:rerun-if-changed={file}");
    }
    if target.starts_with("thumb") {
        println!("cargo:rustc-link-arg=-Tlink.x");
    } else if target.starts_with("riscv32") {
        // riscv-rt's link.x does not include the layout: it must come first.
        println!("cargo:rustc-link-arg=-Tmemory.x");
        println!("cargo:rustc-link-arg=-Tlink.x");
    }
}
