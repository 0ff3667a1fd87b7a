//! Rotate an API key (seed: "API Key Rotation") with [`Client::rotate_api_key`]: create a new
//! key with the Firebase token, verify it, and revoke the old key only if verification
//! succeeded.
//!
//! The default verification ("probe") sends the new key with a post body that cannot publish
//! anything: 400 proves the key authenticated. `verify: "post"` publishes the seed's
//! verification post instead.
//!
//! ```sh
//! cargo run --example rotate_key                # sandbox: rotates its default key
//! SOKU_BASE_URL=https://api.mysoku.io SOKU_API_KEY=sk_live_… SOKU_FIREBASE_TOKEN=… \
//!     SOKU_OLD_KEY_ID=key_… cargo run --example rotate_key
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
        run(&env.client, old_key_id, env.sandbox.is_none())?;
        Ok(())
    })
}

/// Rotates `old_key_id` (Firebase token from the client's configuration). `reveal` prints the
/// whole new key (for a real rotation: the server never shows it again); else it is masked.
pub fn run(
    client: &Client,
    old_key_id: &str,
    reveal: bool,
) -> soku::Result<Response<RotatedApiKey>> {
    let req = RotateApiKey::new(old_key_id)
        .name("Production Server (rotated)")
        .verify(VerifyMode::Probe);
    let rotated = client.rotate_api_key(&req, &CallOptions::new())?;
    println!(
        "New key created ({}), verified ({}); old key revoked: {}",
        common::mask(&rotated.api_key),
        rotated.verified.as_str(),
        rotated.revoked_key_id
    );
    if reveal {
        println!("Update SOKU_API_KEY to: {}", rotated.api_key);
    }
    Ok(rotated)
}
