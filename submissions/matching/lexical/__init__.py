"""The default offline matcher: weighted word overlap, explicit references first."""

from submissions.matching.lexical.matcher import LexicalMatcher

__all__ = ["LexicalMatcher"]
