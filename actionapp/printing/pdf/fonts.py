"""Checking that the fonts print documents name are installed (through fontconfig)."""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import unicodedata
from functools import lru_cache

CJK_FAMILY = "Noto Serif CJK SC"
CJK_PACKAGE = "fonts-noto-cjk"
# Han ideographs, CJK punctuation, full-width forms, kana and hangul.
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]")

CJK_MISSING_MESSAGE = (
    f"The Chinese font {CJK_FAMILY} is not installed on this server, so Chinese letters would "
    f"print as empty boxes. Install the Debian package {CJK_PACKAGE} and restart the app."
)


class _FcFontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.c_void_p)]


@lru_cache(maxsize=1)
def _fontconfig() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("fontconfig")
    if not name:
        return None
    lib = ctypes.CDLL(name)
    lib.FcPatternCreate.restype = ctypes.c_void_p
    lib.FcPatternAddString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    lib.FcObjectSetCreate.restype = ctypes.c_void_p
    lib.FcObjectSetAdd.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.FcFontList.restype = ctypes.POINTER(_FcFontSet)
    lib.FcFontList.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.FcFontSetDestroy.argtypes = [ctypes.POINTER(_FcFontSet)]
    lib.FcPatternDestroy.argtypes = [ctypes.c_void_p]
    lib.FcObjectSetDestroy.argtypes = [ctypes.c_void_p]
    lib.FcCharSetCreate.restype = ctypes.c_void_p
    lib.FcCharSetAddChar.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    lib.FcCharSetDestroy.argtypes = [ctypes.c_void_p]
    lib.FcPatternAddCharSet.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
    return lib


def _any_font_matches(lib, pattern) -> bool:
    """Tell whether fontconfig lists at least one font for a pattern (the pattern is freed)."""
    objects = lib.FcObjectSetCreate()
    try:
        lib.FcObjectSetAdd(objects, b"family")
        found = lib.FcFontList(None, pattern, objects)
        count = found.contents.nfont if found else 0
        if found:
            lib.FcFontSetDestroy(found)
        return count > 0
    finally:
        lib.FcObjectSetDestroy(objects)
        lib.FcPatternDestroy(pattern)


@lru_cache(maxsize=16)
def font_family_installed(family: str) -> bool:
    """Tell whether fontconfig knows a font family by exactly this name."""
    lib = _fontconfig()
    if lib is None:
        return False
    pattern = lib.FcPatternCreate()
    lib.FcPatternAddString(pattern, b"family", family.encode())
    return _any_font_matches(lib, pattern)


def font_file(family: str) -> tuple[str, int] | None:
    """Return (file, face index) of the regular face fontconfig matches for a family."""
    lib = _fontconfig()
    if lib is None:
        return None
    lib.FcNameParse.restype = ctypes.c_void_p
    lib.FcNameParse.argtypes = [ctypes.c_char_p]
    lib.FcConfigSubstitute.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    lib.FcDefaultSubstitute.argtypes = [ctypes.c_void_p]
    lib.FcFontMatch.restype = ctypes.c_void_p
    lib.FcFontMatch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    lib.FcPatternGetString.argtypes = [
        ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)
    ]  # fmt: skip
    lib.FcPatternGetInteger.argtypes = [
        ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)
    ]  # fmt: skip
    pattern = lib.FcNameParse(f"{family}:style=Regular".encode())
    lib.FcConfigSubstitute(None, pattern, 0)  # FcMatchPattern
    lib.FcDefaultSubstitute(pattern)
    result = ctypes.c_int()
    match = lib.FcFontMatch(None, pattern, ctypes.byref(result))
    lib.FcPatternDestroy(pattern)
    if not match:
        return None
    try:
        name, path, index = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_int()
        if (
            lib.FcPatternGetString(match, b"family", 0, ctypes.byref(name)) != 0
            or lib.FcPatternGetString(match, b"file", 0, ctypes.byref(path)) != 0
            or lib.FcPatternGetInteger(match, b"index", 0, ctypes.byref(index)) != 0
            or name.value.decode() != family
        ):
            return None
        return path.value.decode(), index.value
    finally:
        lib.FcPatternDestroy(match)


def cjk_font_available() -> bool:
    """Tell whether Chinese letters can be printed with a real CJK font."""
    return font_family_installed(CJK_FAMILY)


def has_cjk(text: str) -> bool:
    """Tell whether a text holds Chinese, Japanese or Korean characters."""
    return bool(_CJK.search(text))


# Characters that draw nothing themselves: joiners, bidi controls, variation selectors, tags.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}


@lru_cache(maxsize=4096)
def font_covers(char: str) -> bool:
    """Tell whether any installed font (as fontconfig sees them) has a glyph for `char`."""
    lib = _fontconfig()
    if lib is None:
        return True  # without fontconfig we cannot tell; WeasyPrint could not run either
    pattern = lib.FcPatternCreate()
    charset = lib.FcCharSetCreate()
    try:
        lib.FcCharSetAddChar(charset, ord(char))
        lib.FcPatternAddCharSet(pattern, b"charset", charset)
        return _any_font_matches(lib, pattern)
    finally:
        lib.FcCharSetDestroy(charset)


def undrawable(text: str) -> list[str]:
    """Return the characters of `text` that no installed font can draw (each once, in order).

    This is the one rule for what can be printed: WeasyPrint (through Pango and fontconfig)
    falls back to any installed font, so a character is printable when some font covers it.
    """
    missing: list[str] = []
    for char in text:
        if char in missing or unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            continue
        if "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef":
            continue  # variation selectors choose a glyph; they have none of their own
        if not font_covers(char):
            missing.append(char)
    return missing
