"""Each filter of bpc/embed.py, by property: for arbitrary text, what the filter writes reads back
as exactly that text with the format's own reader, and nothing in it is run."""

from __future__ import annotations

import ast
import html
import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bpc import embed

# Any text (Hypothesis leaves out surrogates, which no file can hold), plus text drawn mostly from
# the characters each format treats specially, so that the interesting cases come up often.
SPECIAL = list("\"'\\$`{}%<>#;&|!*_[]()~=:-+.\n\r\t\x00\x0c\x7f\x85\u2028\u2029\ufeff\U0001f680 aé")
TEXT = st.one_of(st.text(), st.text(alphabet=st.sampled_from(SPECIAL)))
# The line length ruff formats this repository to; the project's is the same.
RUFF_LINE_LENGTH = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["tool"][
    "ruff"
]["line-length"]
ONE_LINE = TEXT.map(lambda value: value.replace("\x00", "")).filter(lambda value: "\n" not in value)


@given(TEXT)
@example("C:\\new\\")
@example("🚀")
def test_toml_string_reads_back(value):
    assert tomllib.loads(f"key = {embed.toml_string(value)}")["key"] == value


@given(TEXT)
@example("\\N{BULLET} \\x41 C:\\new\\")
def test_py_string_reads_back_and_is_ascii(value):
    literal = embed.py_string(value)
    assert literal.isascii()
    assert ast.literal_eval(literal) == value
    assert compile(f"NAME = {literal}\n", "<bake>", "exec")


@settings(max_examples=30, deadline=None)
@given(TEXT)
@example('Bob\'s "Best" Shop')
def test_py_string_is_as_ruff_formats_it(value):
    source = f"NAME = {embed.py_string(value)}\n"
    # A longer line ruff wraps in parentheses, whatever the literal: not this filter's business.
    assume(len(source) - 1 <= RUFF_LINE_LENGTH)
    ruff = Path(sys.executable).parent / "ruff"
    formatted = subprocess.run(
        [ruff, "format", "-"], input=source, capture_output=True, text=True, check=True
    )
    assert formatted.stdout == source


@given(TEXT)
@example("a\u2028b\x85c\x0cd")
@example("- [x]: {y} # z")
def test_yaml_string_reads_back(value):
    assert yaml.safe_load(f"key: {embed.yaml_string(value)}\n") == {"key": value}


@given(TEXT.map(lambda value: value.replace("\x00", "")))
def test_shell_word_is_one_word(value):
    assert shlex.split(embed.shell_word(value)) == [value]


@settings(max_examples=30, deadline=None)
@given(TEXT.map(lambda value: value.replace("\x00", "")))
@example("$(touch /nonexistent/x) `touch /nonexistent/y` '\"\\")
def test_shell_word_is_never_expanded_by_bash(value):
    script = f'NAME={embed.shell_word(value)}\nprintf %s "$NAME"'
    result = subprocess.run(["bash", "-c", script], capture_output=True, check=True)
    assert result.stdout.decode("utf-8", "surrogateescape") == value
    assert result.stderr == b""


@given(TEXT)
def test_dotenv_value_is_written_only_when_every_reader_reads_it_alike(value):
    try:
        written = embed.dotenv_value(value)
    except ValueError:
        assert not re.fullmatch(r"[A-Za-z0-9_.,:/@%+-]*", value)
        return
    assert written == value
    # What host.sh does with a line (the rest after `=`), and what django-environ and compose do
    # with a bare value: no quotes to strip, no comment, no space to trim, no variable to expand.
    assert not set(written) & set(" \t#'\"$\\`")


def test_dotenv_values_read_alike_by_docker_compose(tmp_path):
    values = ["jane.doe+django@mail.example.org", "example.com", "a%b,c:/d@e-f_g"]
    (tmp_path / "compose.yml").write_text("services:\n  app:\n    image: app\n    env_file: app.env\n")
    (tmp_path / "app.env").write_text(
        "".join(f"V{i}={embed.dotenv_value(v)}\n" for i, v in enumerate(values))
    )
    result = subprocess.run(
        ["docker", "compose", "config", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    environment = json.loads(result.stdout)["services"]["app"]["environment"]
    assert environment == {f"V{i}": v for i, v in enumerate(values)}


@given(TEXT)
@example("100% %n %%")
def test_systemd_text_leaves_no_specifier(value):
    written = embed.systemd_text(value)
    assert not re.search(r"(?<!%)%(?!%)", written.replace("%%", ""))
    assert written.replace("%%", "%") == value


@given(TEXT)
@example("<%= `touch /nonexistent/x` %>")
def test_erb_text_opens_no_ruby_tag(value):
    written = embed.erb_text(value)
    assert not re.search(r"<%(?!%)", written.replace("<%%", ""))
    assert written.replace("<%%", "<%") == value


MARKDOWN = MarkdownIt("commonmark")


def one_line_text(value: str) -> bool:
    return value == value.strip() and value.isprintable() and bool(value)


@given(ONE_LINE.filter(one_line_text))
@example('A "simple" blog, with C:\\new paths and 100% 🚀')
@example("1. <script>alert(1)</script> `code` *em* [link](x) &amp; {role}`x` # end #")
@example("- item")
def test_markdown_text_renders_as_the_text_itself(value):
    written = embed.markdown_text(value)
    for source, tag in ((written, "p"), (f"# {written}", "h1")):
        rendered = MARKDOWN.render(source)
        match = re.fullmatch(f"<{tag}>(.*)</{tag}>\n", rendered, flags=re.S)
        assert match, rendered
        assert "<" not in match[1], rendered
        assert html.unescape(match[1]) == value


def test_every_filter_is_given_to_the_templates():
    from jinja2 import Environment

    environment = Environment(extensions=["bpc.jinja.FeaturesExtension"])  # noqa: S701 (not HTML)
    assert set(embed.FILTERS) <= set(environment.filters)
    with pytest.raises(ValueError, match="env file"):
        embed.dotenv_value("a b")
