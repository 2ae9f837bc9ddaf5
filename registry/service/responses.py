"""The service's JSON answers, written by registry/text.py's `json_text`.

Starlette's JSONResponse writes characters as they are: a lone surrogate in a value (an echoed
request field, a string a node returned) made encoding fail, a 500 in place of the answer, and
bidi overrides or C1 controls reached whoever printed the answer on a terminal. `json_text`
writes those as `\\u` escapes (the data a program reads is unchanged) and refuses NaN and
infinities, which no JSON parser need accept.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse as _StarletteJSONResponse

from registry.text import json_text


class JSONResponse(_StarletteJSONResponse):
    def render(self, content: Any) -> bytes:
        return json_text(content, compact=True).encode("utf-8")
