"""Words of free text, paths and code, reduced to comparable stems.

Identifiers are split into their words (`RaisesGroup`, `does_not_raise`,
`src/_pytest/fixtures.py`) because people name the same thing in prose and
in code, and a task description is prose while most evidence is code.
"""

import re
from functools import lru_cache

# Identifier-like runs; `.`, `/`, `-` and the rest separate them.
_CHUNK = re.compile(r"(?<![\w.])\d+(?:\.\d+)+(?![\w.])|[A-Za-z0-9_]+")
# What `submissions.redaction` left of a secret: its kind ("stripe-key") is not a topic.
_REDACTED = re.compile(r"\[REDACTED:[a-z-]+\]")
# In code, `2.0` is a float, not the version a task may name; in the code's prose
# (strings, docstrings, comments; curly quotes too, as OCR reads them) it may be one,
# and so may one of three parts anywhere (`1.2.3`). An apostrophe inside a word
# (`don't`) opens no string.
_PROSE = (
    r'"""[\s\S]*?"""',
    r"'''[\s\S]*?'''",
    r'"(?:\\.|[^"\\\n])*"',
    r"(?<![A-Za-z0-9])[rRbBfFuU]{0,2}'(?:\\.|[^'\\\n])*'(?![A-Za-z])",
    "\u201c[^\u201d\n]*\u201d",
    "\u2018[^\u2019\n]*\u2019",
    r"(?:#|//)[^\n]*",
)
_FLOAT = re.compile(f"({'|'.join(_PROSE)})" + r"|(?<![\w.])\d+\.\d+(?![\w.])")
# One word of a camelCase or PascalCase run: `HTTPServer` -> HTTP, Server.
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _pairs(text: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in text.split())


# English function words plus the boilerplate of commit messages, tickets and
# file trees: they occur in work on any task, so they are no evidence.
STOP_WORDS = _words(
    """
    a about above after again all also an and any are as at be been before being
    below between both but by can could did do does doing done down during each
    either else etc even ever every few for from further had has have having he her
    here hers him his how i if in into is it its itself just let lets like made make
    makes many may me might more most much must my no nor not now of off often on
    once one only onto or other our ours out over own per please quite rather
    really same several she should since so some still such than that the their
    them then there these they this those though through thus to too under until
    up upon us use used uses using very via was way we well were what when where
    whether which while who whom whose why will with within without would yet you
    your
    add added adding adds address addressed addresses bug bugs change changed changes
    changing close closed closes commit commits fix fixed fixes fixing issue issues
    merge merged new pr pull ref refs request resolve resolved resolves small
    update updated updates updating version wip
    cpp css htm html ini js json jsx lib md py rs rst src ts tsx toml
    txt xml yaml yml www http https com org github
    """
)

# Words of any software project's tickets and commits: they count, but little.
GENERIC_WORDS = _words(
    """
    again allow allows arg args argument arguments author authors avoid behavior behaviour broken
    build call called calls case cases cause caused causes changelog check checks ci class
    classes cleanup code command commands config configuration contributing contributors
    correct correctly data default dir directory document
    documentation empty ensure error errors example examples exception false feature features file
    files first folder function functions get handle handling import imports incorrect input
    instead int internal item items last line lines list longer make message messages method
    methods missing module modules multiple name names non none null object objects old option
    options output package packages param parameter parameters params path paths problem problems
    properly python readme refactor regression release remove removed rename result results return
    returns run running runs set setting settings single str string support supported supports
    test tested testing tests true type types user users value values work working works wrong
    """
)

# Syntax of common languages: in a code snippet it says nothing about the topic.
CODE_WORDS = _words(
    """
    and as assert async await bool break case catch class cls const continue def del dict elif
    else except export false finally float for from function global if import in int is lambda
    len let list none nonlocal not null or pass print raise range return self set static str
    super this true try tuple type undefined var void while with yield
    """
)

GENERIC_WEIGHT = 0.4

_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "edly", "ed", "ies", "es", "ly", "s")


# Short forms people write for a word a task spells out: `docs/` is documentation.
_ABBREVIATIONS = _pairs(
    """
    arg=argument args=arguments cfg=configuration cmd=command config=configuration
    db=database dep=dependency deps=dependencies dir=directory doc=documentation
    docs=documentation env=environment err=error exc=exception fn=function func=function
    impl=implementation msg=message param=parameter params=parameters repo=repository
    temp=temporary tmp=temporary
    """
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip one inflectional suffix and a final `e`: raise/raises/raised/raising -> rais;
    a short form is its word's stem (docs -> document)."""
    word = _ABBREVIATIONS.get(word, word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


@lru_cache(maxsize=65536)
def _chunk_words(chunk: str, code: bool = False) -> tuple[str, ...]:
    """The words of an identifier-like run; in `code`, without the parts that are the
    language's own words (`assert_outcomes`, `is_none`): they name no topic inside an
    identifier either. The whole identifier keeps them (`TypeError`)."""
    if is_version(chunk):
        return (chunk,)  # 3.10 is not 10
    parts = [p.lower() for p in _CAMEL.findall(chunk)]
    if len(parts) == 1:
        parts = _short_form_joined(parts[0])
    words = [stem(p) for p in parts if _keep(p) and not (code and p in CODE_WORDS)]
    if 1 < len(parts) <= 3 and all(p.isalpha() for p in parts):
        # The whole identifier too, so `RaisesGroup` and `raises_group` agree exactly.
        words.append(stem("".join(parts)))
    return tuple(words)


def is_version(word: str) -> bool:
    """Whether `word` is a version (`3.10`, `1.2.3`), which tokens keep whole."""
    return "." in word


def _short_form_joined(word: str) -> list[str]:
    """`cmdline` as `cmd`, `line`: a short form joined to a common word is both words."""
    for cut in range(2, len(word) - 3):
        if word[:cut] in _ABBREVIATIONS and stem(word[cut:]) in _GENERIC_STEMS:
            return [word[:cut], word[cut:]]
    return [word]


def _keep(part: str) -> bool:
    return len(part) >= 2 and part not in STOP_WORDS


@lru_cache(maxsize=8192)
def tokens(text: str) -> tuple[str, ...]:
    """Stems of `text` in order, identifiers split, stop words dropped."""
    words: list[str] = []
    for chunk in _CHUNK.findall(_REDACTED.sub(" ", text)):
        words.extend(_chunk_words(chunk))
    return tuple(words)


# A commit hash (`431ec6d`, a SHA-256 too): hex digits mixing letters and numbers.
_HASH = re.compile(r"\b(?=[a-f]*\d)(?=\d*[a-f])[0-9a-f]{7,64}\b", re.IGNORECASE)


def without_hashes(text: str) -> str:
    """`text` without its commit hashes: a hash names one commit, and its fragments
    (`431`, `ec`) match those of any other hash by chance."""
    return _HASH.sub(" ", text)


def _no_floats(text: str) -> str:
    """`text` without the floats of its code; its prose (`_PROSE`) is kept whole."""
    return _FLOAT.sub(lambda match: match.group(1) or " ", text)


@lru_cache(maxsize=8192)
def code_tokens(text: str) -> tuple[str, ...]:
    """Like `tokens`, without the language's own keywords and builtins."""
    words: list[str] = []
    for chunk in _CHUNK.findall(_no_floats(_REDACTED.sub(" ", text))):
        if chunk.lower() not in CODE_WORDS:
            words.extend(_chunk_words(chunk, code=True))
    return tuple(words)


def surface(word: str, text: str) -> str:
    """The first form in `text` of the stem `word`, to name it in a reason."""
    for chunk in _CHUNK.findall(text):
        for part in _CAMEL.findall(chunk):
            if stem(part.lower()) == word:
                return part
        if chunk.replace("_", "").lower() == word:
            return chunk
    return word


def specificity(word: str) -> float:
    """How much a stem can tell one task from another before IDF: generic words little."""
    return GENERIC_WEIGHT if word in _GENERIC_STEMS else 1.0


_GENERIC_STEMS = frozenset(stem(word) for word in GENERIC_WORDS)
