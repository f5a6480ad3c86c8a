"""The documentation: every public name has a docstring (every rule its penalty and an
example), every Python block of the site runs in the strict build, every page is in the site's
navigation, and the site builds in strict mode."""

from __future__ import annotations

import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import teamkit as tk
from teamkit.constraints import CONSTRAINT_KINDS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
#: The modules whose public names are documented API.
PUBLIC_MODULES = [
    "teamkit",
    "teamkit.io",
    "teamkit.export",
    "teamkit.plots",
    "teamkit.views",
    "teamkit.checker",
    "teamkit.constraints",
]


def public_objects():
    seen = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None) or [
            n
            for n, v in vars(module).items()
            if not n.startswith("_") and getattr(v, "__module__", None) == module_name
        ]
        for name in names:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{module_name}.{name}", obj


def test_every_public_name_and_method_has_a_docstring():
    missing = []
    for name, obj in public_objects():
        if not (obj.__doc__ or "").strip():
            missing.append(name)
        if inspect.isclass(obj):
            for attribute, value in vars(obj).items():
                function = value.fget if isinstance(value, property) else value
                if isinstance(function, (staticmethod, classmethod)):
                    function = function.__func__
                if not attribute.startswith("_") and inspect.isfunction(function) and not function.__doc__:
                    missing.append(f"{name}.{attribute}")
    assert not missing, f"no docstring: {missing}"


@pytest.mark.parametrize("kind", sorted(CONSTRAINT_KINDS))
def test_every_rule_says_its_meaning_its_penalty_and_an_example(kind):
    doc = inspect.getdoc(CONSTRAINT_KINDS[kind])
    assert len(doc.splitlines()) >= 3, doc
    # the maths: its penalty when soft (an objective term for diversity, which is maximised)
    assert re.search(r"penalty|objective term", doc, re.IGNORECASE), f"{kind}: no penalty in the docstring"
    assert re.search(r"example", doc, re.IGNORECASE), f"{kind}: no example in the docstring"


def pages():
    return sorted(DOCS.rglob("*.md"))


def nav_pages(entries) -> list[str]:
    out = []
    for entry in entries:
        for value in entry.values() if isinstance(entry, dict) else [entry]:
            out += nav_pages(value) if isinstance(value, list) else [value]
    return out


def test_every_page_is_in_the_navigation():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    listed = set(nav_pages(config["nav"]))
    on_disk = {str(p.relative_to(DOCS)) for p in pages()}
    assert on_disk == listed


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_every_python_block_runs_in_the_build(page):
    # A ```python block without exec="on" would be shown but never run, so it could go stale.
    fences = re.findall(r"^```(?:python|py)\b([^\n]*)$", page.read_text(encoding="utf-8"), re.MULTILINE)
    assert all('exec="on"' in attributes for attributes in fences), f"{page.name}: a python block is not executed"


@pytest.mark.slow
def test_the_site_builds_in_strict_mode(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    site = tmp_path / "site"
    assert (site / "index.html").exists() and (site / "reference" / "api" / "index.html").exists()
    # the quick start's blocks ran: their output is in the page
    quickstart = (site / "quickstart" / "index.html").read_text(encoding="utf-8")
    assert "status: " in quickstart and "calendars" in quickstart
    # the API reference has every rule
    api = (site / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    for cls in CONSTRAINT_KINDS.values():
        assert f'id="teamkit.constraints.{cls.__name__}"' in api, cls.__name__
    assert tk.__version__
