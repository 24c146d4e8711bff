"""Font files by name, as fontconfig gives them: the files Pango prints the papers' text in.

A machine may hold two fonts of one family (Debian's `fonts-liberation`, version 1, beside
`fonts-liberation2`). Pango asks fontconfig which file to use; whatever else draws text
(the PDF footer, the chart) must measure with that same file, or a paper's bytes depend on
which fonts and caches a machine happens to have.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from pathlib import Path


@cache
def font_file(family: str, style: str = "Regular", *, exact: bool = True) -> Path | None:
    """The file fontconfig gives for `family` in `style`, or None when it gives none.

    fontconfig answers with some font even when it has none of the family: with `exact`, such a
    fallback is None here, so callers can choose their own; without, it is the fallback's file.
    """
    lib = ctypes.CDLL(ctypes.util.find_library("fontconfig") or "libfontconfig.so.1")
    lib.FcNameParse.restype = ctypes.c_void_p
    lib.FcNameParse.argtypes = [ctypes.c_char_p]
    lib.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    lib.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
    lib.FcFontMatch.restype = ctypes.c_void_p
    lib.FcFontMatch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    lib.FcPatternGetString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    lib.FcPatternDestroy.argtypes = [ctypes.c_void_p]
    pattern = lib.FcNameParse(f"{family}:style={style}".encode())
    lib.FcConfigSubstitute(None, pattern, 0)  # FcMatchPattern
    lib.FcDefaultSubstitute(pattern)
    result = ctypes.c_int()
    match = lib.FcFontMatch(None, pattern, ctypes.byref(result))
    lib.FcPatternDestroy(pattern)
    if not match:
        return None
    try:
        value = ctypes.c_char_p()
        if lib.FcPatternGetString(match, b"family", 0, ctypes.byref(value)) != 0 or value.value is None:
            return None
        if exact and value.value.decode() != family:
            return None
        if lib.FcPatternGetString(match, b"file", 0, ctypes.byref(value)) != 0 or not value.value:
            return None
        return Path(value.value.decode())
    finally:
        lib.FcPatternDestroy(match)
