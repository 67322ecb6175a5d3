"""Secrets seen on screen are masked before storage, and so before any text leaves the
server for an LLM: each becomes `[REDACTED:<kind>]`, the kind saying what was there.

Kinds: `private-key` (PEM blocks), `jwt`, `stripe-key` (`sk_live_`/`rk_test_`…, `whsec_`),
`openai-key` (`sk-`, `sk-proj-`), `anthropic-key` (`sk-ant-`), `aws-key` (`AKIA`/`ASIA`
key ids), `github-token` (`ghp_`…, `github_pat_`), `slack-token` (`xoxb-`…),
`slack-webhook`, `google-key` (`AIza`), `bearer-token`, `basic-auth`, `password` (the
value of `password=`, `"password": "…"`, a URL's `user:password@`) and `secret` (the
value of `api_key=`, `token=`, `client_secret=` and the like).

Ordinary code stays as it is: a value that reads as code (`password =
form.cleaned_data["password"]`, `token=get_token()`, `password=new_password`,
`password: str`), a message (`{"password": "Too short."}`) or a template (`Bearer
${TOKEN}`, `password=$DB_PASSWORD`) is kept. A quoted literal or a bare value with a digit
or symbol is masked; given to a name in capitals (`DB_PASSWORD=letmein`, an env file or a
constant), any literal value is.

Most text holds no secret: one scan for the literals the rules need (`sk-`, `bearer`,
`password`, …) lets it through in about a microsecond, and a rule's regex runs only on
text with one of its own.
"""

import re
import string
from collections.abc import Callable
from dataclasses import dataclass

# Names whose value is a secret; a name may end in one (`DB_PASSWORD`, `client_secret`).
# `key` counts only as `api_key`, `secret_key`, … (`KEY_OWNER`): tested after the match,
# since a shorter alternation is much faster to scan for.
SECRET_NAMES = r"pass(?:word|wd|phrase)\d?|pwd|secret|key|token"
KEY_OWNER = re.compile(r"(?:secret|api|access|private)[_-]?$")
# Values that are templates, placeholders or already masked.
PLACEHOLDER_START = tuple("${<*%[(/~")
NOT_SECRETS = frozenset({"none", "null", "nil", "true", "false", "undefined"})
ATTRIBUTE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
MIN_VALUE_LENGTH = 4
# Lowercases ASCII only, so offsets in the lowered text are offsets in the text.
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def mask(kind: str) -> str:
    return f"[REDACTED:{kind}]"


@dataclass(frozen=True)
class Rule:
    """Where one of `triggers` (lowercase) occurs in a text, mask the `secret` group (or
    the whole) of each `pattern` match as `kind`. A `fold_case` pattern is lowercase and
    runs on the text lowercased, far faster than `(?i)`. `kind_of`, when given, names the
    kind from the text and the match, or None to keep it."""

    kind: str
    triggers: tuple[str, ...]
    pattern: re.Pattern[str]
    fold_case: bool = False
    kind_of: Callable[[str, re.Match[str]], str | None] | None = None

    def apply(self, text: str) -> str:
        haystack = text.translate(ASCII_LOWER) if self.fold_case else text
        group = "secret" if "secret" in self.pattern.groupindex else 0
        parts, last = [], 0
        for match in self.pattern.finditer(haystack):
            kind = self.kind_of(text, match) if self.kind_of else self.kind
            if kind is not None:
                start, end = match.span(group)
                parts += [text[last:start], mask(kind)]
                last = end
        return "".join([*parts, text[last:]]) if parts else text


def assigned_kind(text: str, match: re.Match[str]) -> str | None:
    """`password` or `secret` for a secret value given to a secret's name, else None."""
    start, end = match.span("name")
    name, value = text[start:end], text[slice(*match.span("secret"))]
    if name.lower() == "key" and not KEY_OWNER.search(text[max(start - 8, 0) : start].lower()):
        return None
    if not looks_secret(value, quoted=bool(match["quoted"]), constant=name.isupper()):
        return None
    return "password" if name[0] in "pP" else "secret"


def looks_secret(value: str, *, quoted: bool, constant: bool) -> bool:
    """Whether a value given to a secret's name is one: not a placeholder, nor (but for a
    constant or env file, `DB_PASSWORD=…`) a message or code."""
    if (
        len(value) < MIN_VALUE_LENGTH
        or value.startswith(PLACEHOLDER_START)
        or value.lower() in NOT_SECRETS
    ):
        return False
    if quoted:
        return constant or " " not in value  # a message: {"password": "Too short."}
    if "(" in value or "[" in value or ATTRIBUTE.fullmatch(value):
        return False  # a call, subscript or attribute: get_token(), form.cleaned_data[…]
    # A plain name without digits is a variable (password=new_password, password: str).
    return constant or not value.isidentifier() or any(c.isdigit() for c in value)


RULES = (
    Rule(
        "private-key",
        ("private key",),
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
            r"(?:-----END [A-Z0-9 ]*-----|\Z)"
        ),
    ),
    Rule("jwt", ("eyj",), re.compile(r"\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}")),
    Rule(
        "stripe-key",
        ("sk_", "rk_", "whsec_"),
        re.compile(r"\b(?:[sr]k_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,})"),
    ),
    Rule("anthropic-key", ("sk-ant-",), re.compile(r"\bsk-ant-[\w-]{20,}")),
    # With a digit in it: `sk-learn-…` and other names are not keys.
    Rule("openai-key", ("sk-",), re.compile(r"\bsk-(?=[\w-]*\d)[\w-]{20,}")),
    Rule("aws-key", ("akia", "asia"), re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
    Rule(
        "github-token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,})"),
    ),
    Rule("slack-token", ("xox",), re.compile(r"\bxox[abeoprs]-[A-Za-z0-9-]{10,}")),
    Rule(
        "slack-webhook",
        ("hooks.slack.com",),
        re.compile(r"hooks\.slack\.com/services/(?P<secret>[A-Za-z0-9/]{20,})"),
    ),
    Rule("google-key", ("aiza",), re.compile(r"\bAIza[\w-]{35}")),
    # Not `Bearer ${TOKEN}`, `Bearer {token}`, `Bearer <token>`: templates.
    Rule(
        "bearer-token",
        ("bearer",),
        re.compile(r"\bbearer\s+(?P<secret>[\w.~+/=-]{16,})"),
        fold_case=True,
    ),
    Rule(
        "basic-auth",
        ("basic",),
        re.compile(r"\bauthorization[\"']?\s*[:=]\s*[\"']?basic\s+(?P<secret>[\w+/]{8,}=*)"),
        fold_case=True,
    ),
    Rule(
        "password",
        ("://",),
        re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@]*:(?P<secret>[^\s@/${<][^\s@/]*)@"),
    ),
    Rule(
        "secret",
        ("pass", "pwd", "secret", "key", "token"),
        re.compile(
            rf"(?P<name>{SECRET_NAMES})[\"']?\s*(?::|=(?!=))\s*(?P<quoted>[\"'])?"
            r"(?P<secret>(?(quoted)[^\"'\n]+|[^\s\"'`,;&)\]}>]+))(?(quoted)(?P=quoted))"
        ),
        fold_case=True,
        kind_of=assigned_kind,
    ),
)


# Any trigger at all: one scan in C, so the common text without one costs about a microsecond.
ANY_TRIGGER = re.compile("|".join(sorted({re.escape(t) for r in RULES for t in r.triggers})))


def redact(text: str) -> str:
    """`text` with every secret the rules recognise replaced by `[REDACTED:<kind>]`."""
    lowered = text.lower()
    if not ANY_TRIGGER.search(lowered):
        return text
    for rule in RULES:
        for trigger in rule.triggers:
            if trigger in lowered:
                text = rule.apply(text)
                break
    return text
