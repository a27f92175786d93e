"""The API reference page's content, drawn from the OpenAPI schema the API publishes.

``build_reference`` turns the schema (the very dict ``/api/v1/openapi.json`` answers) into
plain records that the template lays out: tags and their operations, each with its
parameters, body and responses, and the component schemas that ``$ref`` names. Nothing here
is the page's chrome: the schema's own words (summaries, descriptions, names) stay as
written, in English, and the template translates the rest.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.text import slugify

JsonObject = Mapping[str, Any]

# A path item's operations, in the order a reader expects them.
METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
COMPONENT_PREFIX = "#/components/schemas/"
# The keywords shown as they are, next to a type: limits and defaults a client must respect.
CONSTRAINTS = (
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "default",
)
_CODE = re.compile(r"``(.+?)``|`([^`]+)`")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_NOT_IN_AN_ID = re.compile(r"[^A-Za-z0-9_.-]")
UNTAGGED = "default"


@dataclass(frozen=True)
class Span:
    """A run of the schema's prose: plain text, or what it marks as code with backticks."""

    text: str
    code: bool = False


Paragraph = tuple[Span, ...]
Prose = tuple[Paragraph, ...]


@dataclass(frozen=True)
class Piece:
    """A piece of a written-out type: plain text, or the name of a component schema."""

    text: str
    schema: str = ""  # the component it names; "" for plain text

    @property
    def anchor(self) -> str:
        return schema_anchor(self.schema) if self.schema else ""


TypeExpression = tuple[Piece, ...]


@dataclass(frozen=True)
class Field:
    """A parameter of an operation or a property of an object."""

    name: str
    type: TypeExpression
    required: bool
    description: Prose
    constraints: tuple[str, ...]
    location: str = ""  # a parameter's "path", "query", "header" or "cookie"


@dataclass(frozen=True)
class Body:
    media_type: str
    required: bool
    type: TypeExpression
    fields: tuple[Field, ...]  # an inline object's properties (a component lists its own)


@dataclass(frozen=True)
class Response:
    status: str
    description: Prose
    media_type: str  # "" when the answer has no body
    type: TypeExpression


@dataclass(frozen=True)
class Operation:
    anchor: str  # the operationId
    method: str  # in lower case, as the schema writes it
    path: str
    summary: Prose
    description: Prose
    # Ways to authenticate, any one of which will do; each names the schemes it needs together.
    security: tuple[tuple[str, ...], ...]
    parameters: tuple[Field, ...]
    bodies: tuple[Body, ...]
    responses: tuple[Response, ...]

    @property
    def requires_authentication(self) -> bool:
        # An empty requirement ({}) among the ways means that going anonymous is one of them.
        return bool(self.security) and all(self.security)


@dataclass(frozen=True)
class Tag:
    name: str
    anchor: str
    description: Prose
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    anchor: str
    type: str
    details: tuple[str, ...]  # its other keywords, as "key: value"
    description: Prose


@dataclass(frozen=True)
class Schema:
    name: str
    anchor: str
    description: Prose
    type: TypeExpression
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Reference:
    title: str
    version: str
    openapi: str
    description: Prose
    tags: tuple[Tag, ...]
    security_schemes: tuple[SecurityScheme, ...]
    schemas: tuple[Schema, ...]

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(operation for tag in self.tags for operation in tag.operations)


@functools.cache
def published_reference() -> Reference:
    """The reference of the API as /api/v1/openapi.json describes it.

    Built once per process: the routes are all registered at import, and drawing the
    schema takes a good part of a second.
    """
    from vigie.api.api import api

    return build_reference(api.get_openapi_schema())


def build_reference(schema: JsonObject) -> Reference:
    info = schema.get("info", {})
    components = schema.get("components", {})
    return Reference(
        title=str(info.get("title", "")),
        version=str(info.get("version", "")),
        openapi=str(schema.get("openapi", "")),
        description=prose(info.get("description")),
        tags=_tags(schema),
        security_schemes=tuple(
            _security_scheme(name, scheme)
            for name, scheme in components.get("securitySchemes", {}).items()
        ),
        schemas=tuple(
            _schema(name, component) for name, component in components.get("schemas", {}).items()
        ),
    )


def schema_anchor(name: str) -> str:
    return "schema-" + _NOT_IN_AN_ID.sub("-", name)


def security_anchor(name: str) -> str:
    return "auth-" + _NOT_IN_AN_ID.sub("-", name)


def prose(text: object) -> Prose:
    """Paragraphs at blank lines; `code` and ``code`` as code; single line breaks as spaces."""
    if not isinstance(text, str) or not text.strip():
        return ()
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text.strip()):
        flowing = " ".join(block.split())
        spans: list[Span] = []
        position = 0
        for match in _CODE.finditer(flowing):
            if match.start() > position:
                spans.append(Span(flowing[position : match.start()]))
            spans.append(Span(match.group(1) or match.group(2), code=True))
            position = match.end()
        if position < len(flowing):
            spans.append(Span(flowing[position:]))
        paragraphs.append(tuple(spans))
    return tuple(paragraphs)


def type_of(schema: object) -> TypeExpression:
    """A JSON schema written out in one line: ``array<PostOut>``, ``string (date) | null``."""
    if not isinstance(schema, Mapping):
        return (Piece("any"),)
    if isinstance(ref := schema.get("$ref"), str):
        if ref.startswith(COMPONENT_PREFIX):
            name = ref.removeprefix(COMPONENT_PREFIX)
            return (Piece(name, schema=name),)
        return (Piece(ref),)
    if "enum" in schema:
        return _joined(((Piece(json.dumps(value)),) for value in schema["enum"]), " | ")
    if "const" in schema:
        return (Piece(json.dumps(schema["const"])),)
    for keyword, separator in (("anyOf", " | "), ("oneOf", " | "), ("allOf", " & ")):
        if isinstance(choices := schema.get(keyword), list) and choices:
            return _joined((type_of(choice) for choice in choices), separator)
    kind = schema.get("type")
    if isinstance(kind, list):
        return _joined((type_of({**schema, "type": one}) for one in kind), " | ")
    if kind == "array":
        if "items" not in schema:
            return (Piece("array"),)
        return _merged((Piece("array<"), *type_of(schema["items"]), Piece(">")))
    if kind == "object" and isinstance(values := schema.get("additionalProperties"), Mapping):
        return _merged((Piece("object<string, "), *type_of(values), Piece(">")))
    if not isinstance(kind, str):
        return (Piece("any"),)
    if isinstance(format_ := schema.get("format"), str):
        return (Piece(f"{kind} ({format_})"),)
    return (Piece(kind),)


def constraints_of(schema: object) -> tuple[str, ...]:
    """The limits and default of a schema, and of the choices of a nullable one."""
    if not isinstance(schema, Mapping):
        return ()
    found = _constraints(schema)
    for keyword in ("anyOf", "oneOf"):
        for choice in schema.get(keyword) or ():
            if isinstance(choice, Mapping):
                found.extend(item for item in _constraints(choice) if item not in found)
    return tuple(found)


def _constraints(schema: JsonObject) -> list[str]:
    return [
        f"{keyword}: {json.dumps(schema[keyword])}" for keyword in CONSTRAINTS if keyword in schema
    ]


def _joined(parts: Iterable[TypeExpression], separator: str) -> TypeExpression:
    pieces: list[Piece] = []
    for index, part in enumerate(parts):
        if index:
            pieces.append(Piece(separator))
        pieces.extend(part)
    return _merged(pieces)


def _merged(pieces: Iterable[Piece]) -> TypeExpression:
    """Neighbouring plain pieces as one: ``string | null`` is one piece, links stand apart."""
    merged: list[Piece] = []
    for piece in pieces:
        if merged and not piece.schema and not merged[-1].schema:
            merged[-1] = Piece(merged[-1].text + piece.text)
        else:
            merged.append(piece)
    return tuple(merged)


def _tags(schema: JsonObject) -> tuple[Tag, ...]:
    """Each operation under its first tag; the tags in the schema's order, then as met."""
    described = {
        str(tag["name"]): tag.get("description")
        for tag in schema.get("tags", [])
        if isinstance(tag, Mapping) and "name" in tag
    }
    grouped: dict[str, list[Operation]] = {name: [] for name in described}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            if isinstance(operation := item.get(method), Mapping):
                tags = operation.get("tags") or [UNTAGGED]
                grouped.setdefault(str(tags[0]), []).append(
                    _operation(method, path, operation, schema.get("security"))
                )
    anchors: set[str] = set()
    result = []
    for name, operations in grouped.items():
        if operations:
            result.append(
                Tag(
                    name=name,
                    anchor=_unique("tag-" + (slugify(name) or "untitled"), anchors),
                    description=prose(described.get(name)),
                    operations=tuple(operations),
                )
            )
    return tuple(result)


def _unique(anchor: str, taken: set[str]) -> str:
    candidate, number = anchor, 2
    while candidate in taken:
        candidate, number = f"{anchor}-{number}", number + 1
    taken.add(candidate)
    return candidate


def _operation(
    method: str, path: str, operation: JsonObject, default_security: object
) -> Operation:
    security = operation.get("security", default_security) or []
    return Operation(
        anchor=str(operation.get("operationId") or slugify(f"{method} {path}")),
        method=method,
        path=path,
        summary=prose(operation.get("summary")),
        description=prose(operation.get("description")),
        security=tuple(tuple(str(name) for name in way) for way in security),
        parameters=tuple(_parameter(parameter) for parameter in operation.get("parameters", [])),
        bodies=_bodies(operation.get("requestBody")),
        responses=tuple(
            response
            for status, answer in operation.get("responses", {}).items()
            for response in _responses(str(status), answer)
        ),
    )


def _parameter(parameter: JsonObject) -> Field:
    schema = parameter.get("schema", {})
    return Field(
        name=str(parameter.get("name", "")),
        type=type_of(schema),
        required=bool(parameter.get("required", parameter.get("in") == "path")),
        description=prose(parameter.get("description") or schema.get("description")),
        constraints=constraints_of(schema),
        location=str(parameter.get("in", "")),
    )


def _bodies(body: object) -> tuple[Body, ...]:
    if not isinstance(body, Mapping):
        return ()
    return tuple(
        Body(
            media_type=str(media_type),
            required=bool(body.get("required", False)),
            type=type_of(schema),
            # A named schema has its own section; an inline object's properties are listed here.
            fields=() if "$ref" in schema else _fields(schema),
        )
        for media_type, content in body.get("content", {}).items()
        for schema in [content.get("schema") or {}]
    )


def _responses(status: str, answer: JsonObject) -> list[Response]:
    description = prose(answer.get("description"))
    content = answer.get("content") or {}
    if not content:
        return [Response(status=status, description=description, media_type="", type=())]
    return [
        Response(
            status=status,
            description=description,
            media_type=str(media_type),
            type=type_of(body.get("schema")) if "schema" in body else (),
        )
        for media_type, body in content.items()
    ]


def _fields(schema: object) -> tuple[Field, ...]:
    if not isinstance(schema, Mapping):
        return ()
    required = set(schema.get("required", []))
    return tuple(
        Field(
            name=str(name),
            type=type_of(property_),
            required=name in required,
            description=prose(property_.get("description")),
            constraints=constraints_of(property_),
        )
        for name, property_ in schema.get("properties", {}).items()
    )


def _schema(name: str, component: JsonObject) -> Schema:
    fields = _fields(component)
    return Schema(
        name=name,
        anchor=schema_anchor(name),
        description=prose(component.get("description")),
        type=(Piece("object"),) if fields else type_of(component),
        fields=fields,
    )


def _security_scheme(name: str, scheme: JsonObject) -> SecurityScheme:
    return SecurityScheme(
        name=name,
        anchor=security_anchor(name),
        type=str(scheme.get("type", "")),
        details=tuple(
            f"{key}: {value}"
            for key, value in scheme.items()
            if key not in ("type", "description") and isinstance(value, str)
        ),
        description=prose(scheme.get("description")),
    )
