"""Check source paths against a canonical document class, so a typo fails when the mapping loads.

``parties[role=ship_to].adress.city`` against :class:`~crossdock.canonical.Order` →
``Address has no field 'adress'``. Mapping-typed fields (``references``) accept any key.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from crossdock.soap.paths import SourcePath


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return Any
            annotation = options[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _list_item(annotation: Any) -> Any | None:
    annotation = _unwrap(annotation)
    if get_origin(annotation) in (list, tuple):
        args = get_args(annotation)
        return _unwrap(args[0]) if args else Any
    return None


def check(path: SourcePath, context: Any, root: Any, *, want_list: bool = False) -> tuple[str | None, Any]:
    """Return ``(error, annotation reached)``; for list sources (``want_list``) the reached item type."""
    if path.is_index:
        return None, int
    annotation = root if path.from_root else context
    for segment in path.segments:
        annotation = _unwrap(annotation)
        if annotation is Any:
            return None, Any
        if get_origin(annotation) is dict:
            annotation = get_args(annotation)[1] if get_args(annotation) else Any
        elif _is_model(annotation):
            fields = annotation.model_fields
            if segment.name not in fields:
                return f"{annotation.__name__} has no field {segment.name!r} (path {path.text!r})", None
            annotation = fields[segment.name].annotation
        else:
            return f"cannot read {segment.name!r} inside a plain value (path {path.text!r})", None
        if segment.index is not None or segment.key is not None:
            item = _list_item(annotation)
            if item is None:
                return f"{segment.name!r} is not a list, so it takes no [..] (path {path.text!r})", None
            if segment.key is not None and _is_model(item) and segment.key not in item.model_fields:
                return f"{item.__name__} has no field {segment.key!r} to select on (path {path.text!r})", None
            annotation = item
    if want_list:
        item = _list_item(annotation)
        if item is None and _unwrap(annotation) is not Any:
            return f"a list rule needs a list source, and {path.text!r} is not a list", None
        return None, item if item is not None else Any
    return None, annotation
