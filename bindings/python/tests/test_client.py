"""Every plain endpoint's success path against the sandbox, with the documented request bodies."""

from __future__ import annotations

import json
import os
import unittest
from typing import Optional
from unittest import mock

import soku

import support
from support import SandboxCase, fresh, header


class SandboxTestCase(SandboxCase):
    def assertMetaOk(self, meta: Optional[soku.Meta], status: int = 0) -> soku.Meta:
        self.assertIsInstance(meta, soku.Meta)
        assert meta is not None
        if status:
            self.assertEqual(meta.status, status)
        else:
            self.assertTrue(200 <= meta.status < 300, meta)
        self.assertEqual(meta.attempts, 1)
        self.assertTrue(meta.request_id, meta)
        self.assertEqual(meta.rate_limit.tier, "sandbox")
        self.assertIsInstance(meta.rate_limit.limit, int)
        self.assertIsInstance(meta.rate_limit.remaining, int)
        self.assertIsInstance(meta.rate_limit.reset, int)
        return meta


class PostsTest(SandboxTestCase):
    def test_text_post(self) -> None:
        data = self.client.create_post(fresh(support.TEXT_POST))
        self.assertIsInstance(data.post_submission_id, str)
        self.assertTrue(data.post_submission_id)
        meta = self.assertMetaOk(self.client.last_meta)
        self.assertEqual(self.sb.submissions(), [support.TEXT_POST])
        [req] = self.sb.requests_to("/v1/posts")
        self.assertEqual(req["method"], "POST")
        self.assertEqual(json.loads(req["body"]), support.TEXT_POST)
        self.assertEqual(header(req, "soku-api-key"), self.sb.api_key)
        self.assertIsNone(header(req, "authorization"))
        self.assertTrue(meta.idempotency_key)
        self.assertEqual(header(req, "idempotency-key"), meta.idempotency_key)

    def test_keyword_form_builds_the_same_body(self) -> None:
        content = support.TEXT_POST["post"]["content"]
        self.client.create_post(text=content["text"], platforms=content["platform"])
        self.assertEqual(self.sb.submissions(), [support.TEXT_POST])

    def test_media_type_defaults_only_in_the_keyword_form(self) -> None:
        # the keyword form sets mediaType as CreatePost::video / ::images do in Rust
        self.client.create_post(text="v", platforms="x", video_url="https://example.com/v.mp4")
        self.client.create_post(text="i", platforms="x", image_urls=["https://example.com/i.png"])
        # a dict body is sent as given: no mediaType added
        self.client.create_post({"post": {"content": {"text": "d", "platform": ["x"]}}})
        sent = [s["post"]["content"] for s in self.sb.submissions()]
        self.assertEqual([c.get("mediaType") for c in sent], ["video", "image", None])

    def test_request_and_keywords_together_are_rejected(self) -> None:
        with self.assertRaises(soku.InvalidArgumentError):
            self.client.create_post(fresh(support.TEXT_POST), text="also")
        self.assertEqual(self.sb.requests_to("/v1/posts"), [])

    def test_image_post(self) -> None:
        data = self.client.create_post(fresh(support.IMAGE_POST))
        self.assertTrue(data.post_submission_id)
        self.assertEqual(self.sb.submissions(), [support.IMAGE_POST])

    def test_upload_then_video_post(self) -> None:
        media = self.client.upload_media(support.MEDIA_UPLOAD["url"])
        self.assertTrue(media.url.startswith("http"), media)
        self.assertNotEqual(media.url, support.MEDIA_UPLOAD["url"])
        self.assertMetaOk(self.client.last_meta, 201)
        [req] = self.sb.requests_to("/v1/media")
        self.assertEqual(json.loads(req["body"]), support.MEDIA_UPLOAD)
        self.assertTrue(header(req, "idempotency-key"))
        body = support.video_post(media.url)
        data = self.client.create_post(body)
        self.assertTrue(data.post_submission_id)
        self.assertEqual(self.sb.submissions(), [body])

    def test_upload_media_dict_form(self) -> None:
        media = self.client.upload_media(fresh(support.MEDIA_UPLOAD))
        self.assertTrue(media.url)

    def test_scheduled_post(self) -> None:
        body = support.scheduled_post(support.future_time(90))
        data = self.client.create_post(body)
        self.assertTrue(data.post_submission_id)
        self.assertEqual(self.sb.submissions(), [body])

    def test_documented_schedule_in_the_past_is_rejected_before_sending(self) -> None:
        with self.assertRaises(soku.InvalidArgumentError) as ctx:
            self.client.create_post(support.scheduled_post(support.DOCUMENTED_SCHEDULED_TIME))
        self.assertIn("scheduledTime", str(ctx.exception).replace("scheduled_time", "scheduledTime"))
        self.assertEqual(self.sb.requests_to("/v1/posts"), [])

    def test_callers_idempotency_key_is_sent_and_replay_publishes_once(self) -> None:
        first = self.client.create_post(fresh(support.TEXT_POST), idempotency_key="launch-2026-12-01")
        assert self.client.last_meta is not None
        self.assertEqual(self.client.last_meta.idempotency_key, "launch-2026-12-01")
        again = self.client.create_post(fresh(support.TEXT_POST), idempotency_key="launch-2026-12-01")
        self.assertEqual(first.post_submission_id, again.post_submission_id)
        reqs = self.sb.requests_to("/v1/posts")
        self.assertEqual([header(r, "idempotency-key") for r in reqs], ["launch-2026-12-01"] * 2)
        self.assertEqual(len(self.sb.submissions()), 1)

    def test_fresh_idempotency_key_per_call(self) -> None:
        self.client.create_post(fresh(support.TEXT_POST))
        assert self.client.last_meta is not None
        k1 = self.client.last_meta.idempotency_key
        self.client.create_post(fresh(support.TEXT_POST))
        k2 = self.client.last_meta.idempotency_key
        self.assertTrue(k1 and k2 and k1 != k2)
        self.assertEqual(len(self.sb.submissions()), 2)

    def test_unknown_fields_pass_through(self) -> None:
        body = fresh(support.TEXT_POST)
        body["enableRepurposing"] = False
        body["post"]["content"]["futureField"] = {"nested": [1, 2]}
        self.client.create_post(body)
        self.assertEqual(self.sb.submissions(), [body])


class TypedResultsTest(SandboxTestCase):
    """Results are frozen objects with snake_case attributes, the call's meta and the wire dict."""

    def test_result_carries_its_meta_and_the_wire_dict(self) -> None:
        sub = self.client.create_post(text="typed", platforms=["x", {"platform": "instagram", "accountId": "ig_main"}])
        self.assertIsInstance(sub, soku.PostSubmission)
        self.assertIs(sub.meta, self.client.last_meta)
        self.assertEqual(sub.meta.status, self.assertMetaOk(sub.meta).status)
        self.assertEqual(sub.raw, {"postSubmissionId": sub.post_submission_id})
        self.assertIs(sub.to_dict(), sub.raw)
        with self.assertRaises(AttributeError):  # frozen
            sub.post_submission_id = "other"  # type: ignore[misc]
        self.assertIn(sub.post_submission_id, repr(sub))

    def test_unknown_server_fields_are_kept_in_raw(self) -> None:
        self.sb.inject("/v1/posts", status=201, body=json.dumps({"postSubmissionId": "ps_new", "queue": {"pos": 3}}))
        sub = self.client.create_post(fresh(support.TEXT_POST), max_retries=0)
        self.assertEqual(sub.post_submission_id, "ps_new")
        self.assertEqual(sub.raw["queue"], {"pos": 3})

    def test_new_api_key_is_not_in_repr(self) -> None:
        created = self.client.create_api_key("repr", firebase_token=self.sb.firebase_token)
        self.assertTrue(created.api_key.startswith("sk_live_"))
        self.assertNotIn(created.api_key, repr(created))
        self.assertNotIn(created.api_key, str(created))

    def test_an_unexpected_result_shape_is_a_decode_error(self) -> None:
        from soku._meta import LazyMeta
        from soku._models import PostSubmission

        with mock.patch.object(soku.Client, "_finish", lambda _c, _s, _t: ({"other": 1}, LazyMeta(None))):
            with self.assertRaises(soku.DecodeError) as ctx:
                self.client._call("soku_posts_create", "create_post", fresh(support.TEXT_POST), {},
                                  PostSubmission._from)
        self.assertIn("create_post", str(ctx.exception))


class TemplatesAndTranscribeTest(SandboxTestCase):
    def test_render_template(self) -> None:
        data = self.client.render_template(fresh(support.TEMPLATE))
        self.assertTrue(data.url.startswith("http"), data)
        self.assertTrue(data.id, data)
        meta = self.assertMetaOk(self.client.last_meta)
        [req] = self.sb.requests_to("/v1/templates")
        self.assertEqual(json.loads(req["body"]), support.TEMPLATE)
        self.assertIsNone(header(req, "idempotency-key"))
        self.assertIsNone(meta.idempotency_key)

    def test_render_template_keyword_form(self) -> None:
        self.client.render_template("tweetImage", config=support.TEMPLATE["config"], aspect_ratio="1:1")
        [req] = self.sb.requests_to("/v1/templates")
        self.assertEqual(json.loads(req["body"]), dict(support.TEMPLATE, aspectRatio="1:1"))

    def test_render_og_is_the_alias_at_its_own_path(self) -> None:
        data = self.client.render_og("blogPost", config={"title": "Launch"}, aspect_ratio="1:1")
        self.assertTrue(data.url.startswith("http"), data)
        [req] = self.sb.requests_to("/v1/media/render-og")
        self.assertEqual(json.loads(req["body"]),
                         {"templateSlug": "blogPost", "config": {"title": "Launch"}, "aspectRatio": "1:1"})
        self.assertEqual(self.sb.requests_to("/v1/templates"), [])

    def test_transcribe_with_the_documented_idempotency_key(self) -> None:
        key = "ep42-transcribe-2026-12-01"
        data = self.client.transcribe(fresh(support.TRANSCRIBE), idempotency_key=key)
        self.assertTrue(data.job_id)
        self.assertIn("transcript", data.raw)
        self.assertEqual(data.transcript, data.raw["transcript"])
        self.assertIsInstance(data.credits_debited, (int, float))
        self.assertMetaOk(self.client.last_meta, 200)
        again = self.client.transcribe("media_f7e8d9c0b3c4", language="en", model="whisper-1",
                                       duration_seconds=600, idempotency_key=key)
        self.assertEqual(again.job_id, data.job_id)
        reqs = self.sb.requests_to("/v1/ai/transcribe")
        self.assertEqual([json.loads(r["body"]) for r in reqs], [support.TRANSCRIBE] * 2)
        self.assertEqual([header(r, "idempotency-key") for r in reqs], [key] * 2)


class ApiKeysTest(SandboxTestCase):
    def test_create_list_revoke(self) -> None:
        fb = self.sb.firebase_token
        created = self.client.create_api_key({"name": "ci"}, firebase_token=fb)
        self.assertTrue(created.api_key.startswith("sk_live_"))
        [req] = self.sb.requests_to("/v1/api-keys")
        self.assertEqual(header(req, "authorization"), "Bearer " + fb)
        self.assertIsNone(header(req, "soku-api-key"))
        self.assertEqual(json.loads(req["body"]), {"name": "ci"})

        listed = self.client.list_api_keys(firebase_token=fb)
        self.assertMetaOk(self.client.last_meta, 200)
        by_id = {k.id: k for k in listed.keys}
        self.assertIn(self.sb.default_key_id, by_id)
        new_id = created.id or next(k.id for k in listed.keys if k.name == "ci")
        self.assertEqual(by_id[new_id].status, "active")
        for key in listed.keys:
            self.assertNotIn(created.api_key, json.dumps(key.raw))  # listing never shows a full key
        # The preview the sandbox sends as keyPreview: the key's last four characters.
        self.assertEqual(by_id[new_id].preview, "sk_live_\u2026" + created.api_key[-4:])

        with self.make(api_key=created.api_key) as new_client:
            self.assertTrue(new_client.create_post(fresh(support.TEXT_POST)).post_submission_id)
            revoked = self.client.revoke_api_key(new_id, firebase_token=fb)
            self.assertEqual(revoked.id, new_id)
            self.assertIs(revoked.meta, self.client.last_meta)
            self.assertEqual(revoked.meta.status, 204)
            with self.assertRaises(soku.AuthenticationError):
                new_client.create_post(fresh(support.TEXT_POST))
        listed = self.client.list_api_keys(firebase_token=fb)
        self.assertEqual({k.id: k for k in listed.keys}[new_id].status, "revoked")

    def test_firebase_token_from_config_and_name_form(self) -> None:
        with self.make(firebase_token=self.sb.firebase_token) as c:
            created = c.create_api_key("Production Server")
            self.assertTrue(created.api_key.startswith("sk_live_"))
            names = [k.name for k in c.list_api_keys().keys]
            self.assertIn("Production Server", names)


class EnvironmentAndMetaTest(SandboxTestCase):
    def test_client_reads_soku_api_key_and_base_url(self) -> None:
        env = {"SOKU_API_KEY": self.sb.api_key, "SOKU_BASE_URL": self.sb.url}
        with mock.patch.dict(os.environ, env):
            with soku.Client(max_retries=0) as c:
                self.assertTrue(c.create_post(fresh(support.TEXT_POST)).post_submission_id)
        self.assertEqual(len(self.sb.submissions()), 1)

    def test_from_env_false_reads_nothing_from_the_environment(self) -> None:
        with mock.patch.dict(os.environ, {"SOKU_API_KEY": self.sb.api_key}):
            with soku.Client(base_url=self.sb.url, max_retries=0, from_env=False) as c:
                with self.assertRaises(soku.ConfigError) as ctx:
                    c.create_post(fresh(support.TEXT_POST))
                self.assertEqual(ctx.exception.param, "apiKey")
        self.assertEqual(self.sb.submissions(), [])

    def test_last_meta_is_none_before_any_call_and_after_a_call_that_sent_nothing(self) -> None:
        self.assertIsNone(self.client.last_meta)
        self.client.create_post(fresh(support.TEXT_POST))
        self.assertIsNotNone(self.client.last_meta)
        with self.assertRaises(soku.InvalidArgumentError):
            self.client.create_post({"post": {"content": {"platform": ["x"], "mediaType": "gif"}}})
        meta = self.client.last_meta
        self.assertTrue(meta is None or meta.attempts == 0, meta)
        self.client.create_post(fresh(support.TEXT_POST))
        with self.assertRaises(soku.InvalidArgumentError):  # rejected by Python, before the library
            self.client.create_post({"post": {"content": {"text": object(), "platform": ["x"]}}})
        self.assertIsNone(self.client.last_meta)

    def test_user_agent_names_the_library_and_the_package(self) -> None:
        self.client.create_post(fresh(support.TEXT_POST))
        with self.make(user_agent="my-app/2.0") as custom:
            custom.create_post(fresh(support.TEXT_POST))
        agents = [header(r, "user-agent") for r in self.sb.requests_to("/v1/posts")]
        version = soku.__version__
        self.assertEqual(agents, ["soku-rust/%s soku-python/%s" % (version, version), "my-app/2.0"])

    def test_repr_hides_the_key(self) -> None:
        self.assertNotIn(self.sb.api_key, repr(self.client))
        self.assertEqual(repr(self.client), "<soku.Client open>")


if __name__ == "__main__":
    unittest.main()
