//! From the command line to a typed request ([`Call`]), and from a [`Call`] to the requests a
//! `--dry-run` prints.

use std::io::Read;

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use soku::workflows::{
    PublishBatch, PublishWithMedia, PublishWithTemplate, RotateApiKey, VerifyMode,
};
use soku::{
    AspectRatio, CreateApiKey, CreatePost, Error, MediaType, Platform, PlatformTarget, PostContent,
    RenderTemplate, Transcribe, UploadMedia,
};

use crate::args::{
    Command, KeysCommand, MediaCommand, Ratio, Render, Template, TemplateCommand, Verify, When,
    WorkflowPost,
};

/// One command, ready to run.
pub enum Call {
    Post(CreatePost),
    Upload(UploadMedia),
    Render(RenderTemplate),
    RenderOg(RenderTemplate),
    Transcribe(Transcribe),
    KeysList,
    KeysCreate(CreateApiKey),
    KeysRevoke(String),
    KeysRotate(RotateApiKey),
    Batch(Vec<CreatePost>),
    PublishMedia(PublishWithMedia),
    PublishTemplate(PublishWithTemplate),
}

/// The credential a request carries.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    ApiKey,
    Firebase,
}

impl Call {
    /// The credential the command needs.
    pub fn auth(&self) -> Auth {
        match self {
            Call::KeysList | Call::KeysCreate(_) | Call::KeysRevoke(_) | Call::KeysRotate(_) => {
                Auth::Firebase
            }
            _ => Auth::ApiKey,
        }
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidArgument {
        message: msg.into(),
        param: None,
    }
}

/// Builds the call of a command (`completions` is handled before).
pub fn build(cmd: Command) -> Result<Call, Error> {
    Ok(match cmd {
        Command::Post {
            text,
            platforms,
            images,
            video,
            when,
            body,
        } => match raw(
            body.json,
            text.is_some()
                || !platforms.is_empty()
                || !images.is_empty()
                || video.is_some()
                || given(&when),
        )? {
            Some(src) => Call::Post(parse_body(&src)?),
            None => {
                let mut content = PostContent::new(targets(&platforms)?);
                if let Some(t) = text {
                    content = content.text(t);
                }
                content = match (video, images.is_empty()) {
                    (Some(v), _) => content.media_type(MediaType::Video).video_url(v),
                    (None, false) => content.media_type(MediaType::Image).image_urls(images),
                    (None, true) => content.media_type(MediaType::Text),
                };
                let mut post = CreatePost::new(content);
                post.scheduled_time = schedule(&when);
                Call::Post(post)
            }
        },
        Command::Media(MediaCommand::Upload { url, body }) => {
            match (raw(body.json, url.is_some())?, url) {
                (Some(src), _) => Call::Upload(parse_body(&src)?),
                (None, Some(url)) => Call::Upload(UploadMedia::new(url)),
                (None, None) => return Err(invalid("a URL is required")),
            }
        }
        Command::Template(TemplateCommand::Render(r)) => Call::Render(render(r)?),
        Command::Template(TemplateCommand::RenderOg(r)) => Call::RenderOg(render(r)?),
        Command::Transcribe {
            media_id,
            language,
            model,
            duration,
            body,
        } => match (
            raw(
                body.json,
                media_id.is_some() || language.is_some() || model.is_some() || duration.is_some(),
            )?,
            media_id,
        ) {
            (Some(src), _) => Call::Transcribe(parse_body(&src)?),
            (None, Some(id)) => {
                let mut t = Transcribe::new(id);
                t.language = language;
                t.model = model;
                t.duration_seconds = duration;
                Call::Transcribe(t)
            }
            (None, None) => return Err(invalid("a MEDIA_ID is required")),
        },
        Command::Keys(KeysCommand::List) => Call::KeysList,
        Command::Keys(KeysCommand::Create { name, body }) => {
            match (raw(body.json, name.is_some())?, name) {
                (Some(src), _) => Call::KeysCreate(parse_body(&src)?),
                (None, name) => {
                    let mut k = CreateApiKey::new();
                    k.name = name;
                    Call::KeysCreate(k)
                }
            }
        }
        Command::Keys(KeysCommand::Revoke { id }) => Call::KeysRevoke(id),
        Command::Keys(KeysCommand::Rotate {
            old_id,
            name,
            verify,
            body,
        }) => match (
            raw(
                body.json,
                old_id.is_some() || name.is_some() || verify.is_some(),
            )?,
            old_id,
        ) {
            (Some(src), _) => Call::KeysRotate(parse_body(&src)?),
            (None, Some(old)) => {
                let mut r = RotateApiKey::new(old);
                r.name = name;
                r.verify = match verify {
                    Some(Verify::Probe) | None => VerifyMode::Probe,
                    Some(Verify::Post) => VerifyMode::Post,
                    Some(Verify::None) => VerifyMode::None,
                };
                Call::KeysRotate(r)
            }
            (None, None) => return Err(invalid("an OLD_ID is required")),
        },
        Command::Batch { file } => Call::Batch(batch_posts(&read_source(&file)?)?),
        Command::PublishMedia {
            urls,
            video,
            post,
            body,
        } => match raw(body.json, !urls.is_empty() || video || post_given(&post))? {
            Some(src) => Call::PublishMedia(parse_body(&src)?),
            None => {
                let media = if video {
                    MediaType::Video
                } else {
                    MediaType::Image
                };
                let content = workflow_content(&post, media)?;
                let mut req = PublishWithMedia::new(urls, content);
                req.scheduled_time = schedule(&post.when);
                Call::PublishMedia(req)
            }
        },
        Command::PublishTemplate {
            template,
            post,
            body,
        } => match raw(body.json, template_given(&template) || post_given(&post))? {
            Some(src) => Call::PublishTemplate(parse_body(&src)?),
            None => {
                let content = workflow_content(&post, MediaType::Image)?;
                let mut req = PublishWithTemplate::new(render_template(template)?, content);
                req.scheduled_time = schedule(&post.when);
                Call::PublishTemplate(req)
            }
        },
        Command::Completions { .. } => return Err(invalid("completions sends no request")),
    })
}

/// `PLATFORM` or `PLATFORM:ACCOUNT_ID`, each non-empty.
fn targets(platforms: &[String]) -> Result<Vec<PlatformTarget>, Error> {
    platforms
        .iter()
        .map(|p| {
            let (name, account) = match p.split_once(':') {
                Some((n, a)) => (n, Some(a)),
                None => (p.as_str(), None),
            };
            if name.trim().is_empty() || account.is_some_and(|a| a.trim().is_empty()) {
                return Err(invalid(format!(
                    "--platform `{p}` must be PLATFORM or PLATFORM:ACCOUNT_ID"
                )));
            }
            let platform = Platform::from(name.trim());
            Ok(match account {
                Some(a) => PlatformTarget::account(platform, a.trim()),
                None => platform.into(),
            })
        })
        .collect()
}

fn schedule(when: &When) -> Option<String> {
    when.schedule
        .clone()
        .or_else(|| when.in_.map(crate::time::rfc3339_from_now))
}

/// `--json`, refused next to the arguments it replaces (`others`: any of them was given).
fn raw(json: Option<String>, others: bool) -> Result<Option<String>, Error> {
    if json.is_some() && others {
        return Err(invalid(
            "--json cannot be used with the command's other arguments: the file is the whole body",
        ));
    }
    Ok(json)
}

fn given(when: &When) -> bool {
    when.schedule.is_some() || when.in_.is_some()
}

fn template_given(t: &Template) -> bool {
    t.slug.is_some() || !t.set.is_empty() || t.aspect_ratio.is_some()
}

fn post_given(p: &WorkflowPost) -> bool {
    p.text.is_some() || !p.platforms.is_empty() || given(&p.when)
}

/// The post content of a workflow (its media are added by the workflow).
fn workflow_content(p: &WorkflowPost, media: MediaType) -> Result<PostContent, Error> {
    let mut content = PostContent::new(targets(&p.platforms)?).media_type(media);
    if let Some(t) = &p.text {
        content = content.text(t.clone());
    }
    Ok(content)
}

fn render(r: Render) -> Result<RenderTemplate, Error> {
    match raw(r.body.json, template_given(&r.template))? {
        Some(src) => parse_body(&src),
        None => render_template(r.template),
    }
}

fn render_template(r: Template) -> Result<RenderTemplate, Error> {
    let slug = r
        .slug
        .ok_or_else(|| invalid("a template slug is required"))?;
    let mut t = RenderTemplate::new(slug);
    if !r.set.is_empty() {
        let mut config = serde_json::Map::new();
        for pair in &r.set {
            let (k, v) = pair
                .split_once('=')
                .filter(|(k, _)| !k.trim().is_empty())
                .ok_or_else(|| invalid(format!("--set `{pair}` must be NAME=VALUE")))?;
            config.insert(k.trim().to_owned(), Value::String(v.to_owned()));
        }
        t = t.config(Value::Object(config));
    }
    t.aspect_ratio = r.aspect_ratio.map(|a| match a {
        Ratio::Square => AspectRatio::Square,
        Ratio::Portrait => AspectRatio::Portrait,
        Ratio::Story => AspectRatio::Story,
    });
    Ok(t)
}

/// The text of a file, or of stdin for `-`.
fn read_source(src: &str) -> Result<String, Error> {
    let mut text = String::new();
    let read = if src == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(src).map(|t| text = t)
    };
    read.map_err(|e| invalid(format!("cannot read {src}: {e}")))?;
    Ok(text)
}

/// A `--json` body: the documented request object of the command.
fn parse_body<T: DeserializeOwned>(src: &str) -> Result<T, Error> {
    serde_json::from_str(&read_source(src)?)
        .map_err(|e| invalid(format!("--json {src}: not a valid request body: {e}")))
}

/// A batch file: a JSON array of post bodies, `{"posts": [...]}`, or JSON Lines.
pub fn batch_posts(text: &str) -> Result<Vec<CreatePost>, Error> {
    let values = serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("batch input is not JSON or JSON Lines: {e}")))?;
    if values.is_empty() {
        return Err(invalid("batch input holds no posts"));
    }
    let items = match values.as_slice() {
        [Value::Array(items)] => items.clone(),
        [Value::Object(o)] if o.contains_key("posts") => {
            let batch: PublishBatch = serde_json::from_value(Value::Object(o.clone()))
                .map_err(|e| invalid(format!("batch input: {e}")))?;
            return Ok(batch.posts);
        }
        _ => values,
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            serde_json::from_value(v).map_err(|e| invalid(format!("batch post {i}: {e}")))
        })
        .collect()
}

/// The client-side checks the library runs before sending `call`.
pub fn validate(call: &Call, check_schedule: bool) -> Result<(), Error> {
    match call {
        Call::Post(p) => p.validate(check_schedule),
        Call::Upload(u) => soku_http_url("url", &u.url),
        Call::Render(t) | Call::RenderOg(t) => t.validate(),
        Call::Transcribe(t) => t.validate(),
        Call::KeysList => Ok(()),
        Call::KeysCreate(k) => k.validate(),
        Call::KeysRevoke(id) | Call::KeysRotate(RotateApiKey { old_key_id: id, .. })
            if id.trim().is_empty() =>
        {
            Err(invalid("the key id must not be empty"))
        }
        Call::KeysRevoke(_) => Ok(()),
        Call::KeysRotate(r) => {
            let mut k = CreateApiKey::new();
            k.name = r.name.clone();
            k.validate()
        }
        Call::Batch(posts) => posts.iter().enumerate().try_for_each(|(i, p)| {
            p.validate(check_schedule)
                .map_err(|e| invalid(format!("batch post {i}: {}", e.message())))
        }),
        Call::PublishMedia(m) => {
            if m.source_urls.is_empty() {
                return Err(invalid("sourceUrls must not be empty"));
            }
            m.post_request(m.source_urls.clone())
                .validate(check_schedule)
        }
        Call::PublishTemplate(t) => {
            t.template.validate()?;
            t.post_request("https://rendered.invalid/image.png")
                .validate(check_schedule)
        }
    }
}

fn soku_http_url(field: &str, url: &str) -> Result<(), Error> {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        Ok(())
    } else {
        Err(invalid(format!("{field} must be an http(s) URL")))
    }
}

/// One request of a dry run.
struct Planned {
    method: &'static str,
    path: String,
    auth: Auth,
    /// Posts, media and transcriptions always carry a key.
    keyed: bool,
    key: Option<String>,
    body: Option<Value>,
}

/// A request body as JSON. The request types serialise infallibly in practice; should one ever
/// fail, the dry run fails with that reason instead of printing a `null` body.
fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, Error> {
    serde_json::to_value(v)
        .map_err(|e| invalid(format!("could not serialise the request body: {e}")))
}

/// The `--dry-run` document: `{"dryRun": true, "requests": [{"method", "url", "headers",
/// "body"}]}`, credentials shown as `[redacted]`.
pub fn dry_run(
    call: &Call,
    base_url: &str,
    user_agent: &str,
    key: Option<&str>,
) -> Result<Value, Error> {
    let step = |suffix: &str| key.map(|k| format!("{k}{suffix}"));
    let post = |body: Value, key: Option<String>| Planned {
        method: "POST",
        path: "/v1/posts".into(),
        auth: Auth::ApiKey,
        keyed: true,
        key,
        body: Some(body),
    };
    let plain = |method, path: &str, auth, body| Planned {
        method,
        path: path.to_owned(),
        auth,
        keyed: false,
        key: key.map(str::to_owned),
        body,
    };
    let planned: Vec<Planned> = match call {
        Call::Post(p) => vec![post(to_json(p)?, step(""))],
        Call::Upload(u) => vec![Planned {
            keyed: true,
            ..plain("POST", "/v1/media", Auth::ApiKey, Some(to_json(u)?))
        }],
        Call::Render(t) => vec![plain(
            "POST",
            "/v1/templates",
            Auth::ApiKey,
            Some(to_json(t)?),
        )],
        Call::RenderOg(t) => vec![plain(
            "POST",
            "/v1/media/render-og",
            Auth::ApiKey,
            Some(to_json(t)?),
        )],
        Call::Transcribe(t) => vec![Planned {
            keyed: true,
            ..plain("POST", "/v1/ai/transcribe", Auth::ApiKey, Some(to_json(t)?))
        }],
        Call::KeysList => vec![plain("GET", "/v1/api-keys", Auth::Firebase, None)],
        Call::KeysCreate(k) => vec![plain(
            "POST",
            "/v1/api-keys",
            Auth::Firebase,
            Some(to_json(k)?),
        )],
        Call::KeysRevoke(id) => vec![plain(
            "DELETE",
            &format!("/v1/api-keys/{id}"),
            Auth::Firebase,
            None,
        )],
        Call::KeysRotate(r) => {
            let mut create = CreateApiKey::new();
            create.name = r.name.clone();
            let mut steps = vec![
                // The old key must be listed and active before anything is created.
                Planned {
                    key: None,
                    ..plain("GET", "/v1/api-keys", Auth::Firebase, None)
                },
                Planned {
                    key: None,
                    ..plain(
                        "POST",
                        "/v1/api-keys",
                        Auth::Firebase,
                        Some(to_json(&create)?),
                    )
                },
            ];
            match r.verify {
                VerifyMode::Probe => steps.push(post(
                    json!({"post": {"content": {"text": "", "platform": []}}}),
                    step(":verify"),
                )),
                VerifyMode::Post => steps.push(post(
                    json!({"post": {"content": {"text": "Key rotation verification", "platform": ["threads"]}}}),
                    step(":verify"),
                )),
                VerifyMode::None => {}
            }
            steps.push(Planned {
                key: None,
                ..plain(
                    "DELETE",
                    &format!("/v1/api-keys/{}", r.old_key_id),
                    Auth::Firebase,
                    None,
                )
            });
            steps
        }
        Call::Batch(posts) => posts
            .iter()
            .enumerate()
            .map(|(i, p)| Ok(post(to_json(p)?, step(&format!("-{i}")))))
            .collect::<Result<_, Error>>()?,
        Call::PublishMedia(m) => {
            let mut steps: Vec<Planned> = m
                .source_urls
                .iter()
                .enumerate()
                .map(|(i, url)| {
                    Ok(Planned {
                        method: "POST",
                        path: "/v1/media".into(),
                        auth: Auth::ApiKey,
                        keyed: true,
                        key: Some(format!("{}:media:{i}", key.unwrap_or("<base key>"))),
                        body: Some(to_json(&UploadMedia::new(url.clone()))?),
                    })
                })
                .collect::<Result<_, Error>>()?;
            let hosted = (0..m.source_urls.len())
                .map(|i| format!("<hosted url of media {i}>"))
                .collect();
            let body = to_json(&m.post_request(hosted))?;
            steps.push(post(
                body,
                Some(format!("{}:post", key.unwrap_or("<base key>"))),
            ));
            steps
        }
        Call::PublishTemplate(t) => {
            let body = to_json(&t.post_request("<rendered image url>"))?;
            vec![
                Planned {
                    key: None,
                    ..plain(
                        "POST",
                        "/v1/templates",
                        Auth::ApiKey,
                        Some(to_json(&t.template)?),
                    )
                },
                post(body, Some(format!("{}:post", key.unwrap_or("<base key>")))),
            ]
        }
    };
    let requests: Vec<Value> = planned
        .into_iter()
        .map(|p| {
            let mut headers = serde_json::Map::new();
            let (name, value) = match p.auth {
                Auth::ApiKey => ("soku-api-key", "[redacted]"),
                Auth::Firebase => ("authorization", "Bearer [redacted]"),
            };
            headers.insert(name.into(), value.into());
            headers.insert("accept".into(), "application/json".into());
            headers.insert("user-agent".into(), user_agent.into());
            if p.body.is_some() {
                headers.insert("content-type".into(), "application/json".into());
            }
            match (p.key, p.keyed) {
                (Some(k), _) => {
                    headers.insert("idempotency-key".into(), k.into());
                }
                (None, true) => {
                    headers.insert(
                        "idempotency-key".into(),
                        "<random uuid, the same on every retry>".into(),
                    );
                }
                (None, false) => {}
            }
            json!({
                "method": p.method,
                "url": format!("{base_url}{}", p.path),
                "headers": headers,
                "body": p.body,
            })
        })
        .collect();
    Ok(json!({ "dryRun": true, "requests": requests }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body that cannot become JSON (a map with non-string keys) is an error naming why, never
    /// a `null` body in the dry run.
    #[test]
    fn a_body_that_cannot_be_serialised_is_an_error_not_null() {
        let body = std::collections::BTreeMap::from([((1, 2), "x")]);
        let err = to_json(&body).unwrap_err();
        assert!(
            err.to_string()
                .contains("could not serialise the request body: key must be a string"),
            "{err}"
        );
        assert_eq!(to_json(&"ok").unwrap(), json!("ok"));
    }
}
