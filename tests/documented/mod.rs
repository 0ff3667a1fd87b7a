//! The request bodies of the vendor's code-examples page, written out once as the wire JSON
//! the tests expect (shared by the core wire tests and the example tests).

#![allow(dead_code)] // each test binary uses a different subset

use serde_json::{Value, json};

/// "Publish a Text Post".
pub fn text_post() -> Value {
    json!({"post": {"content": {
        "text": "Just shipped our biggest update yet. More details coming soon.",
        "mediaType": "text",
        "platform": ["threads", "x", "linkedin"]
    }}})
}

/// "Upload Media and Publish a Video Post", step 2, with the hosted `video_url`.
pub fn video_post(video_url: &str) -> Value {
    json!({"post": {"content": {
        "text": "Watch our full product walkthrough",
        "mediaType": "video",
        "videoUrl": video_url,
        "platform": [
            {"platform": "instagram", "accountId": "ig_main"},
            {"platform": "tiktok", "accountId": "tt_brand"},
            "youtube"
        ]
    }}})
}

/// "Publish an Image Post with Multiple Images".
pub fn image_post() -> Value {
    json!({"post": {"content": {
        "text": "Behind the scenes from today's shoot",
        "mediaType": "image",
        "imageUrls": [
            "https://storage.mysoku.io/media/img1.jpg",
            "https://storage.mysoku.io/media/img2.jpg",
            "https://storage.mysoku.io/media/img3.jpg"
        ],
        "platform": [
            {"platform": "instagram", "accountId": "ig_main"},
            {"platform": "facebook", "accountId": "fb_page"},
            "linkedin"
        ]
    }}})
}
