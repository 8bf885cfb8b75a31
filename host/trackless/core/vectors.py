"""Where remote content hides in HTML: the named allow/deny constants.

Every remote-content vector of DESIGN.md section 3 is named here; the
sanitizer walks them. Attribute names are lower-case (the parser lowers them).
"""

from __future__ import annotations

#: Attributes that hold one URL which the engine may fetch (or send to).
URL_ATTRIBUTES = frozenset({
    "src", "href", "xlink:href", "lowsrc", "dynsrc", "longdesc", "background", "poster",
    "data", "codebase", "archive", "classid", "code", "action", "formaction", "manifest",
    "icon", "profile", "usemap", "itemtype",
})
#: Attributes that hold a list of image candidates.
SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})
#: Attributes holding a space-separated list of URLs contacted on click.
PING_ATTRIBUTES = frozenset({"ping"})
#: Elements removed whole: they load or run things and show nothing of value in a mail.
REMOVED_ELEMENTS = frozenset({"script", "base", "link", "bgsound", "portal", "frame"})
#: meta http-equiv values that load, redirect or set state.
ACTIVE_META = frozenset({"refresh", "link", "set-cookie", "default-style", "content-security-policy",
                         "x-dns-prefetch-control"})
#: Hyperlink elements: their href is a link (cleaned), not a fetch.
LINK_ELEMENTS = frozenset({"a", "area"})
#: Attributes that are not fetched although they may hold URLs.
INERT_URL_ATTRIBUTES = frozenset({"cite", "itemid", "itemprop"})
#: link rel values and the kind of what they fetch.
LINK_REL_KINDS = {
    "stylesheet": "css",
    "icon": "image", "shortcut": "image", "apple-touch-icon": "image", "apple-touch-icon-precomposed": "image",
    "mask-icon": "image", "image_src": "image",
    "preload": "prefetch", "prefetch": "prefetch", "prerender": "prefetch", "dns-prefetch": "prefetch",
    "preconnect": "prefetch", "modulepreload": "prefetch", "subresource": "prefetch", "next": "prefetch",
    "manifest": "other", "alternate": "other", "search": "other", "import": "css",
}
#: Elements whose src is media.
MEDIA_ELEMENTS = frozenset({"video", "audio", "track", "bgsound"})
#: Elements whose src/data loads a document.
FRAME_ELEMENTS = frozenset({"iframe", "frame", "object", "embed", "applet", "portal"})
#: HTML raw-text elements, whose text would not serialize back to itself: the
#: fallback content of the first three is not rendered (dropped), the others
#: become a preformatted div.
RAW_TEXT_ELEMENTS = frozenset({"iframe", "noembed", "noframes", "xmp", "plaintext"})
#: Elements that load a data: SVG as an image (no subresources, no entities):
#: the only places one is kept (with CSS images, background and poster).
DATA_SVG_IMAGE_ELEMENTS = frozenset({"img", "input", "image", "feimage", "source", "picture"})
#: Attributes that are text for people, not CSS (never rewritten as CSS).
TEXT_ATTRIBUTES = frozenset({"alt", "title", "value", "placeholder", "label", "aria-label", "summary",
                             "content", "aria-description", "abbr"})
#: SVG animation elements: they can set an href to a remote URL after parsing.
ANIMATION_ELEMENTS = frozenset({"set", "animate", "animatemotion", "animatetransform", "animatecolor"})
#: Their attributes that carry the values they set.
ANIMATION_VALUE_ATTRIBUTES = ("to", "from", "by", "values")
#: Only these images can be fetched by the helper and shown (others stay blocked).
PROXIABLE = frozenset({("img", "src"), ("input", "src")})


def kind_for(tag: str, attr: str, element_type: str = "") -> str:
    """The kind of what ``tag[attr]`` fetches."""
    if attr in ("action", "formaction"):
        return "other"
    if tag in FRAME_ELEMENTS:
        return "frame"
    if tag in MEDIA_ELEMENTS:
        return "image" if attr == "poster" else "media"
    if tag == "source":
        return "image" if element_type == "picture" else "media"
    if tag == "script":
        return "script"
    if attr in ("src", "lowsrc", "dynsrc", "background", "poster", "href", "xlink:href", "srcset"):
        return "image"
    return "other"
