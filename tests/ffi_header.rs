//! include/soku.h is exactly what the pinned cbindgen generates from src/ffi/ and cbindgen.toml,
//! and its version macros match the crate version.
//!
//! After changing src/ffi/ or cbindgen.toml, regenerate the committed header with:
//!
//!     SOKU_UPDATE_HEADER=1 cargo test -p soku-client --test ffi_header

mod ffi_common;

use std::ffi::CStr;
use std::path::Path;

const REGENERATE: &str = "SOKU_UPDATE_HEADER=1 cargo test -p soku-client --test ffi_header";

fn generate() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/ffi/mod.rs"))
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut out);
    String::from_utf8(out).expect("the header is utf-8")
}

#[test]
fn committed_header_matches_cbindgen() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/soku.h");
    let generated = generate();
    if std::env::var_os("SOKU_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("write include/soku.h");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        let show = |text: &str| {
            text.lines()
                .skip(first)
                .take(3)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "include/soku.h is out of date; first difference at line {}:\n\
             --- committed\n{}\n+++ generated\n{}\n\nregenerate with: {REGENERATE}",
            first + 1,
            show(&committed),
            show(&generated),
        );
    }
}

/// The value of `#define <name> <value>` in the header.
fn define<'a>(header: &'a str, name: &str) -> &'a str {
    header
        .lines()
        .find_map(|l| {
            l.strip_prefix("#define ")?
                .strip_prefix(name)?
                .strip_prefix(' ')
        })
        .unwrap_or_else(|| panic!("include/soku.h lacks #define {name}"))
        .trim()
}

#[test]
fn version_macros_match_the_crate_and_soku_version() {
    let header = generate();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        define(&header, "SOKU_VERSION_STRING"),
        format!("\"{version}\""),
        "cbindgen.toml"
    );
    assert_eq!(
        define(&header, "SOKU_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MAJOR")
    );
    assert_eq!(
        define(&header, "SOKU_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    );
    assert_eq!(
        define(&header, "SOKU_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION_PATCH")
    );
    let runtime = unsafe { CStr::from_ptr(soku::ffi::soku_version()) };
    assert_eq!(runtime.to_str().unwrap(), version);
}

#[test]
fn header_declares_every_export_and_status() {
    let header = generate();
    // Every function the header declares is one the tests know: the five lifecycle functions,
    // the operations that ffi_common::operations() drives through every NULL, panic and fuzz
    // test, and the cancellable batch with its token (tests/ffi_cancel.rs). A new export without
    // tests fails here.
    let mut declared: Vec<&str> = header
        .lines()
        .filter_map(|l| {
            let name = l.split('(').next()?.rsplit([' ', '*']).next()?;
            let code = !l.starts_with([' ', '/', '#']);
            (code && l.contains('(') && name.starts_with("soku_")).then_some(name)
        })
        .collect();
    declared.sort_unstable();
    let mut expected: Vec<&str> = ["soku_version", "soku_status_str", "soku_client_new"]
        .into_iter()
        .chain(["soku_client_free", "soku_string_free"])
        .chain([
            "soku_cancel_token_new",
            "soku_cancel_token_cancel",
            "soku_cancel_token_free",
            "soku_posts_publish_batch_with_cancel",
        ])
        // The event callback and the batch with progress (tests/ffi_events.rs).
        .chain([
            "soku_set_log_callback",
            "soku_posts_publish_batch_with_progress",
        ])
        // The error JSON read back into fields (tests/ffi_error.rs).
        .chain([
            "soku_error_parse",
            "soku_error_kind",
            "soku_error_status",
            "soku_error_code",
            "soku_error_message",
            "soku_error_request_id",
            "soku_error_param",
            "soku_error_free",
        ])
        .chain(
            ffi_common::operations()
                .into_iter()
                .map(|(name, _, _)| name),
        )
        .collect();
    expected.sort_unstable();
    assert_eq!(declared, expected);
    assert_eq!(expected.len(), 31);
    for (name, value) in [
        ("SOKU_OK", "0"),
        ("SOKU_ERR_INVALID_ARGUMENT", "-1"),
        ("SOKU_ERR_CONFIG", "-2"),
        ("SOKU_ERR_API", "-3"),
        ("SOKU_ERR_TRANSPORT", "-4"),
        ("SOKU_ERR_TIMEOUT", "-5"),
        ("SOKU_ERR_DECODE", "-6"),
        ("SOKU_ERR_PANIC", "-7"),
    ] {
        assert_eq!(define(&header, name), value, "{name}");
    }
    assert!(header.contains("typedef struct SokuClient SokuClient;"));
    assert!(header.contains("typedef struct SokuCancelToken SokuCancelToken;"));
    assert!(header.contains("typedef struct SokuError SokuError;"));
    assert!(header.contains("#ifndef SOKU_H") && header.contains("extern \"C\""));
}

/// The C contract (returns, ownership, NULL, threads, pointers) is stated once, in the
/// header's preamble, and every exported function refers to it or states its own facts: no
/// function repeats the operation boilerplate, and none is left without a word on each topic.
#[test]
fn the_contract_is_stated_once_in_the_preamble() {
    let header = generate();
    let preamble = &header[..header.find("#ifndef SOKU_H").expect("include guard")];
    for topic in [
        " * Returns:",
        " * Ownership:",
        " * NULL:",
        " * Threads:",
        " * Pointers",
        " * Panics:",
    ] {
        assert!(preamble.contains(topic), "the preamble lacks {topic:?}");
    }
    // Once: the preamble's sentence, not restated per function.
    let flat = header.split_whitespace().collect::<Vec<_>>().join(" ");
    for once in [
        "operations on one client at once",
        "free with `soku_string_free`) on every path",
    ] {
        let n = flat.matches(once).count();
        assert!(n <= 1, "{once:?} appears {n} times");
    }
    // Each exported function's comment refers to the contract or has its own words on
    // ownership, NULL and threads.
    let mut rest = header.as_str();
    let mut functions = 0;
    while let Some(end) = rest.find(" */\n") {
        let comment = &rest[rest[..end].rfind("/**").unwrap_or(0)..end];
        let after = &rest[end + 4..];
        let decl = after.lines().next().unwrap_or("");
        rest = after;
        let Some(name) = decl
            .split('(')
            .next()
            .and_then(|d| d.rsplit([' ', '*']).next())
            .filter(|n| n.starts_with("soku_") && decl.contains('('))
        else {
            continue;
        };
        functions += 1;
        let refers = comment.contains("contract at the top of `soku.h`")
            || comment.contains("as for `soku_error_kind`")
            || comment.contains("As for `soku_error_kind`")
            || comment.contains("as for `soku_error_kind`");
        // (A function without a pointer argument has nothing to say about NULL.)
        let takes_pointer = decl
            .split_once('(')
            .is_some_and(|(_, args)| args.contains('*'));
        let own = comment.contains("Ownership")
            && comment.contains("Thread")
            && (!takes_pointer || comment.contains("NULL"));
        assert!(
            refers || own,
            "{name}: its comment neither refers to the contract nor states ownership, NULL and \
             threads"
        );
    }
    assert!(functions >= 25, "only {functions} functions read");
}
