//! The one request every harness sends: the "Publish a Text Post" body of the vendor's
//! code-examples page.

/// The create-post body, compact, byte for byte what every harness sends.
///
/// Kept in one line so that C, Python, curl and Rust all send the same bytes; the harnesses outside
/// Rust read it from `benches/payload.json`, which a test keeps equal to this constant.
pub const CREATE_POST_BODY: &str = include_str!("../payload.json");

/// The response body of the fixed server's `POST /v1/posts`.
pub const FIXED_SUBMISSION_BODY: &str =
    r#"{"postSubmissionId":"8c6f1f0e-5b1a-4c3e-9d52-0f6b3f1a2d44"}"#;

/// The path of the create-post endpoint.
pub const CREATE_POST_PATH: &str = "/v1/posts";

/// The API key the fixed server expects when the caller gives none.
pub const FIXED_API_KEY: &str = "sk_test_bench";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_the_documented_text_post_in_one_line() {
        assert!(!CREATE_POST_BODY.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(CREATE_POST_BODY).unwrap();
        let content = &v["post"]["content"];
        assert_eq!(
            content["text"],
            "Just shipped our biggest update yet. More details coming soon."
        );
        assert_eq!(content["mediaType"], "text");
        assert_eq!(
            content["platform"],
            serde_json::json!(["threads", "x", "linkedin"])
        );
        let sub: serde_json::Value = serde_json::from_str(FIXED_SUBMISSION_BODY).unwrap();
        assert!(sub["postSubmissionId"].is_string());
    }
}
