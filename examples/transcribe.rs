//! Transcribe a media-library item with a caller-chosen idempotency key (vendor example "Transcribe
//! a Video"): the key is derived from the episode and today's date, so re-running it the same day
//! returns the original job instead of starting (and paying for) a new one.
//!
//! ```sh
//! cargo run --example transcribe
//! ```

mod common;

use soku::{CallOptions, Client, Response, Transcribe, Transcription};

fn main() -> std::process::ExitCode {
    common::main(|env| {
        run(&env.client)?;
        Ok(())
    })
}

/// Transcribes the documented 10-minute episode with the key `ep42-transcribe-<YYYYMMDD>`.
pub fn run(client: &Client) -> soku::Result<Response<Transcription>> {
    let mut req = Transcribe::new("media_f7e8d9c0b3c4");
    req.language = Some("en".into());
    req.model = Some("whisper-1".into());
    req.duration_seconds = Some(600.0);
    let opts =
        CallOptions::new().idempotency_key(format!("ep42-transcribe-{}", common::today_yyyymmdd()));

    let transcription = client.transcribe_with(&req, &opts)?;
    println!("Transcription job started: {}", transcription.job_id);
    if let Some(text) = &transcription.transcript {
        println!("Transcript: {text}");
    }
    Ok(transcription)
}
