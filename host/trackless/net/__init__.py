"""Network features, each used only on the user's explicit request.

addresses  the SSRF URL and address rules (pure)
transport  one HTTP hop to a vetted address, with a time and size budget
resolve    click-to-resolve: walk an opaque link's redirects, minimum hops
images     the private image proxy (allowed images -> data: URIs)
cname      CNAME uncloaking of first-party tracking hosts (dnspython)
cache      the bounded disk cache they share

Nothing here is imported by ``trackless.sanitize``: opening a mail makes no
network request.
"""
