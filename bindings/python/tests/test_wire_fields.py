"""The Python results read every field the Rust library emits, each from its own wire field.

``wire_fields.json`` (next to this file) is generated from Rust by ``tests/ffi_wire_fields.rs``:
for each result type of the C ABI, its wire field names and JSON types, and which type each
export returns in ``data``. These tests check the package's one table of wire names
(``soku._wire.FIELDS``) against it, then build every result the way each client method does,
from a wire object whose every field holds a value no other field holds (booleans one at a time),
and compare every attribute with its own field by value and type: a swapped pair of attributes,
a bool read as an int or a misspelt wire name fails.
"""

from __future__ import annotations

import dataclasses
import json
import os
import unittest
from typing import Any, Callable, Dict, Iterator, Optional, Set, Tuple
from unittest import mock

import soku
from soku import _wire
from soku._meta import LazyMeta, Meta, RateLimit
from soku.errors import error_from_json

HERE = os.path.dirname(os.path.abspath(__file__))

with open(os.path.join(HERE, "wire_fields.json"), encoding="utf-8") as _f:
    FIXTURE: Dict[str, Any] = json.load(_f)
TYPES: Dict[str, Dict[str, str]] = FIXTURE["types"]
EXPORTS: Dict[str, str] = FIXTURE["exports"]

#: The Python class of each fixture type (``Error``: the base of every exception built from an
#: error object).
CLASSES: Dict[str, type] = {
    "PostSubmission": soku.PostSubmission,
    "UploadedMedia": soku.UploadedMedia,
    "RenderedTemplate": soku.RenderedTemplate,
    "Transcription": soku.Transcription,
    "CreatedApiKey": soku.CreatedApiKey,
    "ApiKeyInfo": soku.ApiKeyInfo,
    "ApiKeyList": soku.ApiKeyList,
    "RotatedApiKey": soku.RotatedApiKey,
    "BatchItem": soku.BatchItem,
    "BatchSummary": soku.BatchSummary,
    "BatchReport": soku.BatchReport,
    "PublishedWithMedia": soku.PublishedWithMedia,
    "PublishedWithTemplate": soku.PublishedWithTemplate,
    "Meta": Meta,
    "RateLimit": RateLimit,
    "Error": soku.SokuError,
}

#: The attributes that are not a wire field of the object itself.
NOT_WIRE = {"raw", "_meta"}

#: Attributes not named as their wire field in snake_case, and why (every other attribute is
#: its field's name in snake_case, so the table cannot swap two fields unnoticed).
RENAMED: Dict[Tuple[str, str], str] = {
    ("ApiKeyInfo", "preview"): "keyPreview",  # a preview, never the key: shorter, documented name
    ("ApiKeyList", "keys"): "apiKeys",  # the list's one member
    ("BatchReport", "items"): "results",  # one BatchItem per post
    ("BatchItem", "paced"): "pacedMs",  # in seconds in Python, as every duration
}

#: Attributes that are a wire field in other units (the package's documented conversions).
CONVERT: Dict[Tuple[str, str], Callable[[Any], Any]] = {
    ("BatchItem", "paced"): lambda ms: ms / 1000.0,  # pacedMs -> seconds
    ("Error", "retry_after"): float,  # seconds, always a float
}

#: How each client method is called for one export (a valid request; `_call` is replaced).
METHODS: Dict[str, Tuple[str, Tuple[Any, ...]]] = {
    "soku_posts_create": ("create_post", ({"post": {}},)),
    "soku_media_upload": ("upload_media", ("https://example.com/a.mp4",)),
    "soku_templates_render": ("render_template", ("tweetImage",)),
    "soku_templates_render_og": ("render_og", ("tweetImage",)),
    "soku_ai_transcribe": ("transcribe", ("media_1",)),
    "soku_api_keys_create": ("create_api_key", ("ci",)),
    "soku_api_keys_list": ("list_api_keys", ()),
    "soku_api_keys_revoke": ("revoke_api_key", ("key_1",)),
    "soku_api_keys_rotate": ("rotate_api_key", ("key_1",)),
    "soku_posts_publish_batch": ("publish_batch", ([{"post": {}}],)),
    "soku_posts_publish_with_media": ("publish_with_media", ({"sourceUrls": []},)),
    "soku_posts_publish_with_template": ("publish_with_template", ({"template": {}},)),
}
#: Exports no method calls by name, and why.
INDIRECT = {
    # publish_batch runs it (to stay responsive to Ctrl-C) under the soku_posts_publish_batch name.
    "soku_posts_publish_batch_with_cancel": "soku_posts_publish_batch",
}


def nested(jtype: str) -> Optional[str]:
    """The fixture type a field holds (``array<T>`` -> ``T``), or None for a plain JSON value."""
    inner = jtype[len("array<") : -1] if jtype.startswith("array<") else jtype
    return inner if inner in TYPES else None


class Wire:
    """Wire objects of the fixture's types in which no two fields hold equal values.

    Strings, integers and numbers come from one counter; of the booleans, only ``true_field``
    (``(type, field)``) is true, so a run per boolean field tells booleans apart too.
    """

    def __init__(self, true_field: Optional[Tuple[str, str]] = None) -> None:
        self.n = 1000
        self.true_field = true_field

    def scalar(self, type_name: str, field: str, jtype: str) -> Any:
        self.n += 1
        if jtype == "boolean":
            return (type_name, field) == self.true_field
        if jtype == "string":
            return "%s.%s#%d" % (type_name, field, self.n)
        if jtype == "integer":
            return self.n
        if jtype in ("number", "integer|number"):
            return self.n + 0.5
        if jtype == "object":
            return {"%s.%s" % (type_name, field): self.n}
        raise AssertionError("no value for JSON type %r (%s.%s)" % (jtype, type_name, field))

    def obj(self, type_name: str) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        for field, jtype in TYPES[type_name].items():
            inner = nested(jtype)
            if inner is None:
                out[field] = self.scalar(type_name, field, jtype)
            elif jtype.startswith("array<"):
                out[field] = [self.obj(inner), self.obj(inner)]
            else:
                out[field] = self.obj(inner)
        return out


def wires() -> Iterator[Wire]:
    """One generator with every boolean false, then one per boolean field set true."""
    yield Wire()
    for type_name, fields in sorted(TYPES.items()):
        for field, jtype in sorted(fields.items()):
            if jtype == "boolean":
                yield Wire(true_field=(type_name, field))


class WireTableTest(unittest.TestCase):
    """The table names exactly the fields Rust emits, under the class's own attributes."""

    def test_fixture_is_the_generated_one(self) -> None:
        self.assertIn("ffi_wire_fields", FIXTURE["about"])
        self.assertGreaterEqual(len(TYPES), 16)
        self.assertEqual(TYPES["ApiKeyInfo"]["keyPreview"], "string")

    def test_every_wire_field_is_mapped_and_no_unknown_name(self) -> None:
        self.assertEqual(set(_wire.FIELDS), set(TYPES), "types of the table vs the fixture")
        for type_name, wire_fields in TYPES.items():
            with self.subTest(type_name):
                names = _wire.names(type_name)
                self.assertEqual(len(set(names)), len(names), "a wire name mapped twice")
                self.assertEqual(sorted(names), sorted(wire_fields))

    def test_each_attribute_reads_the_field_of_its_name(self) -> None:
        for type_name, fields in _wire.FIELDS.items():
            for attr, name in fields:
                with self.subTest(type_name=type_name, attr=attr):
                    head, *rest = attr.split("_")
                    camel = head + "".join(part.capitalize() for part in rest)
                    self.assertEqual(name, RENAMED.get((type_name, attr), camel))

    def test_table_attributes_are_the_class_attributes_in_order(self) -> None:
        for type_name, cls in CLASSES.items():
            with self.subTest(type_name):
                attrs = [attr for attr, _ in _wire.FIELDS[type_name]]
                if dataclasses.is_dataclass(cls):
                    fields = [f.name for f in dataclasses.fields(cls) if f.name not in NOT_WIRE]
                    self.assertEqual(attrs, fields)
                else:
                    err = error_from_json({"kind": "transport", "message": "m"})
                    for attr in attrs:
                        self.assertTrue(hasattr(err, attr), attr)

    def test_every_export_has_a_method(self) -> None:
        self.assertEqual(set(METHODS) | set(INDIRECT), set(EXPORTS))
        for export, via in INDIRECT.items():
            self.assertEqual(EXPORTS[export], EXPORTS[via])


class WireValueTest(unittest.TestCase):
    """Every attribute of every result equals its own wire field, by value and by type."""

    def setUp(self) -> None:
        self.checked: Set[str] = set()
        self.builds: Dict[str, Callable[[Any, LazyMeta], Any]] = {}

        def fake_call(
            client: soku.Client, function: str, method: str, request: object, options: object, build: Any
        ) -> object:
            self.builds[function] = build
            return None

        patcher = mock.patch.object(soku.Client, "_call", fake_call)
        patcher.start()
        self.addCleanup(patcher.stop)
        client = soku.Client.__new__(soku.Client)  # no native handle: _call is replaced
        for function, (method, args) in METHODS.items():
            getattr(client, method)(*args)
        self.assertEqual(set(self.builds), set(METHODS))

    def check(self, type_name: str, obj: Any, wire: Dict[str, Any], path: str) -> None:
        self.checked.add(type_name)
        self.assertIsInstance(obj, CLASSES[type_name], path)
        if hasattr(obj, "raw"):
            self.assertIs(obj.raw, wire, path + ".raw")
        for attr, name in _wire.FIELDS[type_name]:
            jtype = TYPES[type_name][name]
            got, sent = getattr(obj, attr), wire[name]
            where = "%s.%s (wire %s)" % (path, attr, name)
            inner = nested(jtype)
            if inner is None:
                want = CONVERT.get((type_name, attr), lambda v: v)(sent)
                self.assertIs(type(got), type(want), where)
                self.assertEqual(got, want, where)
            elif jtype.startswith("array<"):
                self.assertIsInstance(got, list, where)
                self.assertEqual(len(got), len(sent), where)
                for i, (g, s) in enumerate(zip(got, sent)):
                    self.check(inner, g, s, "%s[%d]" % (where, i))
            else:
                self.check(inner, got, sent, where)

    def test_each_export_result_by_value(self) -> None:
        for gen in wires():
            for export, type_name in sorted(EXPORTS.items()):
                build = self.builds[INDIRECT.get(export, export)]
                with self.subTest(export=export, true=gen.true_field):
                    meta = LazyMeta(None, Meta(status=200))
                    if type_name == "null":
                        result = build(None, meta)
                        self.assertEqual(result.id, "key_1")  # the id the caller revoked
                        self.assertEqual(result.raw, {})
                        continue
                    wire = gen.obj(type_name)
                    result = build(wire, meta)
                    self.check(type_name, result, wire, type_name)
                    self.assertIs(result.meta, meta.get())

    def test_meta_and_error_documents_by_value(self) -> None:
        for gen in wires():
            with self.subTest(true=gen.true_field):
                wire = gen.obj("Meta")
                meta = Meta.from_json(wire)
                self.check("Meta", meta, wire, "Meta")
                wire = gen.obj("Error")
                self.check("Error", error_from_json(wire, meta), wire, "Error")
        self.assertTrue({"Meta", "RateLimit", "Error"} <= self.checked)

    def test_every_type_is_reached(self) -> None:
        self.test_each_export_result_by_value()
        self.test_meta_and_error_documents_by_value()
        self.assertEqual(self.checked, set(TYPES))


if __name__ == "__main__":
    unittest.main()
