"""install/install.ps1 without Windows: parsed by a PowerShell grammar, and its calls checked against the CLI.

No PowerShell runs on this Linux machine (Microsoft's PowerShell is not in
Debian, PyPI or npm here); the script is parsed with tree-sitter's PowerShell
grammar (PyPI ``tree-sitter-powershell``), which finds syntax errors (ERROR
or MISSING nodes) but is not PowerShell's own parser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PS1 = REPO / "install" / "install.ps1"


def _parser():
    try:
        import tree_sitter
        import tree_sitter_powershell
    except ImportError:
        pytest.skip("tree-sitter-powershell is not installed (it is in the test extra)")
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def _syntax_errors(source: bytes) -> list[tuple[int, str]]:
    tree = _parser().parse(source)
    out, stack = [], [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            out.append((node.start_point[0] + 1, node.text[:80].decode("utf-8", "replace")))
        stack.extend(node.children)
    return out


def test_install_ps1_parses_without_syntax_errors():
    assert _syntax_errors(PS1.read_bytes()) == []


@pytest.mark.parametrize("old, new", [
    (b'{ Die "could not create a virtual environment" }', b'{ Die "could not create a virtual environment" '),
    (b"param(", b"param(("),
    (b'Write-Host "== checking"', b'Write-Host "== checking'),
    (b"foreach ($c in $Candidates) {", b"foreach ($c in $Candidates {"),
])
def test_the_parser_does_find_broken_powershell(old, new):
    source = PS1.read_bytes()
    assert old in source
    assert _syntax_errors(source.replace(old, new, 1)) != []


def test_install_ps1_uses_only_options_the_cli_has():
    from trackless.cli import build_parser

    parser, _ = build_parser([], full=True)
    text = PS1.read_text("utf-8")
    calls = re.findall(r"& \$Trackless(?:\.exe)? ([a-z]+)((?: --[a-z-]+)*)", text) + re.findall(r"& \$Existing ([a-z]+)", text)
    assert calls, "no trackless calls found"
    for call in calls:
        command, opts = (call, "") if isinstance(call, str) else call
        args = [command, *opts.split()]
        if command == "install":
            args += ["--extension-id", "x@y"]
        parser.parse_args(args)  # SystemExit (exit 2) on an unknown option
    assert "install --check --no-addon" in text  # the add-on is not installed yet when the script checks
    assert "-Uninstall" in text and "pyvenv.cfg" in text
