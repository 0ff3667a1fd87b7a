//! Rotate an API key (vendor example "API Key Rotation") with [`Client::rotate_api_key`]: create a
//! new key with the Firebase token, verify it, and revoke the old key only if verification
//! succeeded.
//!
//! The default verification ("probe") sends the new key with a post body that cannot publish
//! anything: 400 proves the key authenticated. `verify: "post"` publishes the documented
//! verification post instead.
//!
//! The new key is printed as a short preview (its first 12 characters) unless you ask for the
//! whole key with `--print-key` or `SOKU_PRINT_KEY=1`: the server never shows it again, so do
//! that when you rotate a real key, and store it in your secret manager.
//!
//! ```sh
//! cargo run --example rotate_key                # sandbox: rotates its default key
//! SOKU_BASE_URL=https://api.mysoku.io SOKU_API_KEY=sk_live_… SOKU_FIREBASE_TOKEN=… \
//!     SOKU_OLD_KEY_ID=key_… cargo run --example rotate_key -- --print-key
//! ```

mod common;

use soku::workflows::{RotateApiKey, RotatedApiKey, VerifyMode};
use soku::{CallOptions, Client, Response};

fn main() -> std::process::ExitCode {
    common::main(|env| {
        let old_key_id = env
            .old_key_id
            .as_deref()
            .ok_or("set SOKU_OLD_KEY_ID to the id of the key to revoke")?;
        run(&env.client, old_key_id, print_key_requested())?;
        Ok(())
    })
}

/// Whether the whole new key should be printed: `--print-key` among the arguments or
/// `SOKU_PRINT_KEY=1`.
pub fn print_key_requested() -> bool {
    print_key_wanted(
        std::env::args().skip(1),
        std::env::var("SOKU_PRINT_KEY").ok(),
    )
}

/// [`print_key_requested`] for these arguments and this `SOKU_PRINT_KEY` value.
pub fn print_key_wanted(mut args: impl Iterator<Item = String>, env: Option<String>) -> bool {
    args.any(|a| a == "--print-key") || env.as_deref() == Some("1")
}

/// The line that tells the new key: whole when `reveal`, else a preview and how to see it all.
pub fn key_line(key: &str, reveal: bool) -> String {
    if reveal {
        format!("Update SOKU_API_KEY to: {key}")
    } else {
        format!(
            "Update SOKU_API_KEY to the new key {} (run with --print-key or SOKU_PRINT_KEY=1 \
             to print it whole)",
            common::mask(key)
        )
    }
}

/// Rotates `old_key_id` (Firebase token from the client's configuration). `reveal` prints the
/// whole new key (the server never shows it again); else only a preview of it.
pub fn run(
    client: &Client,
    old_key_id: &str,
    reveal: bool,
) -> soku::Result<Response<RotatedApiKey>> {
    let req = RotateApiKey::new(old_key_id)
        .name("Production Server (rotated)")
        .verify(VerifyMode::Probe);
    let rotated = client.rotate_api_key(&req, &CallOptions::new())?;
    println!("New key created, verified ({})", rotated.verified.as_str());
    match &rotated.revoked_key_id {
        Some(id) => println!("Old key revoked: {id}"),
        None => {
            let error = rotated.revoke_error.as_ref();
            let code = error.and_then(|e| e.code()).map_or("?", |c| c.as_str());
            let message = error.map_or_else(|| "?".to_owned(), |e| e.message());
            println!(
                "The old key {old_key_id} was NOT revoked ({code}: {message}); both keys work \
                 until you revoke it"
            );
        }
    }
    println!("{}", key_line(rotated.api_key.expose(), reveal));
    Ok(rotated)
}
