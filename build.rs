//! Build script: gives the C shared library an ABI-versioned name on ELF targets.
//!
//! `libsoku.so` gets the SONAME `libsoku.so.<major>` (the major version of this crate), so that
//! programs linked against it record `NEEDED libsoku.so.<major>` and keep working across
//! compatible upgrades of the installed `libsoku.so.<major>.<minor>.<patch>`
//! (`bindings/c/install.sh` installs that file and its two symlinks). Other targets keep the
//! linker's default.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let elf = matches!(
        os.as_str(),
        "linux" | "android" | "freebsd" | "netbsd" | "openbsd" | "dragonfly" | "illumos"
    );
    if elf {
        let major = env!("CARGO_PKG_VERSION_MAJOR");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libsoku.so.{major}");
    }
}
