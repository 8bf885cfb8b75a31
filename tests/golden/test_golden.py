"""Golden files: whole mails in, the exact sanitized HTML and report out.

Regenerate after a deliberate change with ``TRACKLESS_UPDATE_GOLDEN=1`` and
read the diff: a golden file nobody read is a hard-coded result.
"""

import json
import os
from pathlib import Path

import pytest

import trackless
from trackless.commands.sanitize import load_input

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
CASES = {
    "newsletter": (ROOT / "samples" / "newsletter.eml", {}),
    "receipt": (HERE / "receipt.html", {"recipients": ("sam@example.net",)}),
    "gateway": (HERE / "gateway.html", {"recipients": ("alex@example.com",), "allow": ("eventhall.example",)}),
}
UPDATE = os.environ.get("TRACKLESS_UPDATE_GOLDEN") == "1"


def _result(name):
    path, opts = CASES[name]
    html, sender, recipients, receipts = load_input(str(path), path.read_bytes())
    opts = {"sender": sender, "recipients": recipients, **opts}
    return trackless.sanitize(html, **opts)


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    result = _result(name)
    report = {k: v for k, v in result.to_dict().items() if k != "html"}
    html_file, json_file = HERE / f"{name}.out.html", HERE / f"{name}.report.json"
    if UPDATE:
        html_file.write_bytes(result.html.encode("utf-8"))
        json_file.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", "utf-8")
    assert result.html == html_file.read_bytes().decode("utf-8")
    assert report == json.loads(json_file.read_text("utf-8"))
    assert trackless.sanitize(result.html).html == result.html
