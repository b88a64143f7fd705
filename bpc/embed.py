"""One way to embed an answer in each file format of the generated project: Jinja filters.

Every answer that lands in a generated file goes through the filter of that file's format, so
that any text bpc/answers.py lets through reads back as exactly itself (tests/test_embed.py proves
it per format, for arbitrary text) and is never run. Each filter returns a complete token of its
format (quotes included): a template writes `NAME = {{ cookiecutter.project_name | py_string }}`,
never quotes of its own.

project_slug needs none of them: it is an ASCII identifier, a plain word in every format. The other
checked answers (domain, e-mail, version, time zone) go through the filter where they form a whole
value, and are plain words by their grammar where they are part of one (`noreply@{domain}`).
In comments (shell, Make, INI, YAML, Python), one line of printable text is safe as it is: no
filter there, except where a comment is itself read by a template engine (tmuxinator's ERB).
"""

from __future__ import annotations

import re
import shlex
import string

# A value that every reader of an env file (docker compose, django-environ, deploy/host.sh) takes
# literally.
DOTENV_BARE = re.compile(r"[A-Za-z0-9_.,:/@%+-]*")
# Characters PyYAML reads raw inside a double-quoted scalar; the others are escaped. NEL and the
# Unicode line and paragraph separators are printable to YAML but fold the line, so they go too.
YAML_RAW = re.compile("[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufeff\U00010000-\U0010ffff]")
# Markdown syntax that can start inline markup anywhere on a line (code, emphasis, links, raw HTML,
# entities, MyST roles, tables, strikethrough, maths, a heading's closing hashes).
MARKDOWN_INLINE = frozenset("`*_[]<>&{}|~$!#")


def _escape_code_point(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def shell_word(value: str) -> str:
    """One word for bash (and POSIX sh): never expanded, never split."""
    return shlex.quote(value)


def toml_string(value: str) -> str:
    """A TOML basic string (TOML 1.0: no raw control characters, \\U for the astral planes)."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(_escape_code_point(char))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def py_string(value: str) -> str:
    """A Python string literal in pure ASCII, quoted as ruff format quotes it.

    Non-ASCII characters are escaped so that no answer makes ruff's ambiguous-character rules
    (RUF001) fire in the generated project, and no editor shows the code other than it runs.
    Double quotes, unless the text holds more of them than single quotes (fewer escapes).
    """
    quote = "'" if value.count('"') > value.count("'") else '"'
    out = []
    for char in value:
        if char in (quote, "\\"):
            out.append("\\" + char)
        elif " " <= char <= "~":
            out.append(char)
        else:
            out.append(_escape_code_point(char) if ord(char) > 0xFF else f"\\x{ord(char):02x}")
    return quote + "".join(out) + quote


def yaml_string(value: str) -> str:
    """A YAML double-quoted scalar (YAML 1.1 as PyYAML reads it, and YAML 1.2)."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif YAML_RAW.fullmatch(char):
            out.append(char)
        else:
            out.append(_escape_code_point(char))
    return '"' + "".join(out) + '"'


def dotenv_value(value: str) -> str:
    """A value of an env file (.envs/), read alike by docker compose, django-environ and host.sh.

    Those readers share no quoting (host.sh takes the rest of the line as it is), so only values
    they all read literally are written; any other is refused at bake time.
    """
    if not DOTENV_BARE.fullmatch(value):
        raise ValueError(f"{value!r} cannot be written to an env file that every reader reads alike")
    return value


def systemd_text(value: str) -> str:
    """Text for a systemd unit setting such as Description= (`%` starts a specifier there)."""
    return value.replace("%", "%%")


def markdown_text(value: str) -> str:
    """Inline Markdown (CommonMark and MyST) that renders as the text itself, without markup."""
    out = []
    # "1." or "1)" at the start of a line opens an ordered list.
    list_number = re.match(r"[0-9]{1,9}(?=[.)])", value)
    for index, char in enumerate(value):
        follower = value[index + 1 : index + 2]
        escape = (
            (char == "\\" and follower in string.punctuation)
            or char in MARKDOWN_INLINE
            or (index == 0 and char in string.punctuation)
            or (list_number is not None and index == list_number.end())
        )
        out.append("\\" + char if escape else char)
    return "".join(out)


def erb_text(value: str) -> str:
    """Text in a file that Ruby's ERB renders (tmuxinator's layouts): `<%` starts Ruby code."""
    return value.replace("<%", "<%%")


FILTERS = {
    "erb_text": erb_text,
    "shell_word": shell_word,
    "toml_string": toml_string,
    "py_string": py_string,
    "yaml_string": yaml_string,
    "dotenv_value": dotenv_value,
    "systemd_text": systemd_text,
    "markdown_text": markdown_text,
}
