//! From the command line to a typed request ([`Call`]). The requests a `--dry-run` prints are
//! planned by the library (`Client::plan`) from the same call.

use std::io::Read;

use serde::de::DeserializeOwned;
use serde_json::Value;
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
        Command::Batch { file, .. } => Call::Batch(batch_posts(&read_source(&file)?)?),
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
        Command::Sandbox { .. } => return Err(invalid("sandbox sends no request")),
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
