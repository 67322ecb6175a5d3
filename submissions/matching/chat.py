"""A chat model behind a plain interface: messages and a JSON schema in, the answer's text
(or refusal) and the tokens it cost out. `OpenAIChat` speaks the chat completions API of
OpenAI or of any compatible server; tests and other providers need only `Chat`."""

import functools
import logging
from dataclasses import dataclass
from typing import Any, Protocol

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4.1-mini"
DEFAULT_TIMEOUT = 20.0


@dataclass(frozen=True)
class ChatReply:
    content: str | None
    refusal: str | None = None
    tokens: int = 0  # as the server reported them (`usage.total_tokens`)


class ChatFailure(Exception):
    """No answer to read: `why` is "timeout", "error" or "malformed"; `tokens` were spent
    all the same when the server said so."""

    def __init__(self, why: str, tokens: int = 0) -> None:
        super().__init__(why)
        self.why = why
        self.tokens = tokens


class Chat(Protocol):
    def complete(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> ChatReply:
        """The model's answer to `messages`, constrained to the JSON `schema`; raises
        ChatFailure when there is none to read."""
        ...


class OpenAIChat:
    """Chat completions with structured output, through the `openai` client."""

    def __init__(
        self,
        *,
        model: str = DEFAULT_MODEL,
        timeout: float = DEFAULT_TIMEOUT,
        api_key: str | None = None,
        base_url: str | None = None,
    ) -> None:
        import openai  # half a second to import: only where the LLM is configured

        self.model = model
        # One try: the offline answer is already at hand, and the client's own retries
        # (2 by default, with backoff) would triple a timeout, past the matching task's
        # time limit, only to end in the same fallback.
        self.client = openai.OpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0
        )

    def complete(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> ChatReply:
        import openai

        try:
            completion = self.client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "task_matches", "strict": True, "schema": schema},
                },
            )
        except openai.APITimeoutError as error:
            raise ChatFailure("timeout") from error
        except openai.APIError as error:  # a status >= 400, no connection, a bad body
            logger.warning("The chat model answered with an error: %s", error)
            raise ChatFailure("error") from error
        except ValueError as error:  # a body that claims to be JSON and is not
            raise ChatFailure("malformed") from error
        return _reply(completion)


def _reply(completion: Any) -> ChatReply:
    """The first choice of a completion, read defensively: a server that only claims to
    speak the API may answer any shape (plain text, JSON without `choices`)."""
    tokens = _tokens(completion)
    try:
        choice = completion.choices[0]
        refused = choice.finish_reason == "content_filter"
        refusal = choice.message.refusal or ("content filter" if refused else None)
        return ChatReply(content=choice.message.content, refusal=refusal, tokens=tokens)
    except (AttributeError, IndexError, KeyError, TypeError) as error:
        raise ChatFailure("malformed", tokens=tokens) from error


def _tokens(completion: Any) -> int:
    total = getattr(getattr(completion, "usage", None), "total_tokens", None)
    return total if isinstance(total, int) else 0


@functools.cache
def openai_chat(*, model: str, timeout: float, api_key: str, base_url: str) -> OpenAIChat:
    """One client per configuration, so its connections are reused across submissions."""
    return OpenAIChat(model=model, timeout=timeout, api_key=api_key, base_url=base_url)
