"""Chinese text for duplicate detection: tokens by rjieba (character bigrams when it is missing) and
a Jaccard similarity of token sets."""

from __future__ import annotations

import re

try:  # pragma: no cover - the import path depends on the installation
    import rjieba

    def _cut(text: str) -> list[str]:
        return list(rjieba.cut(text))

except ImportError:  # pragma: no cover
    def _cut(text: str) -> list[str]:
        return bigrams(text)


# Words that say nothing about the matter.
_STOPWORDS_TEXT = (
    "的 了 是 在 有 和 就 都 也 很 我 我们 你 他 她 它 这 那 这个 那个 一个 好 吗 呢 啊 吧 请 麻烦 谢谢 希望 "
    "没有 不 还 又 把 被 给 让 到 从 对 与 及 或 等 个 些 已经 一直 现在 今天 几天 好几天 问题 情况 反映"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_WORD = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")


def bigrams(text: str) -> list[str]:
    out: list[str] = []
    for run in _WORD.findall(text or ""):
        if len(run) == 1 or not ("\u4e00" <= run[0] <= "\u9fff"):
            out.append(run.lower())
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def tokens_of(text: str) -> list[str]:
    """Distinct meaningful tokens of ``text``, in order of appearance."""
    seen: dict[str, None] = {}
    for token in _cut(text or ""):
        token = token.strip().lower()
        if not token or token in STOPWORDS or not _WORD.fullmatch(token):
            continue
        if len(token) == 1 and "\u4e00" <= token <= "\u9fff":
            continue  # single characters match too much
        seen.setdefault(token, None)
    return list(seen)


def similarity(a: list[str] | set[str] | str, b: list[str] | set[str] | str) -> float:
    """Jaccard similarity of two token sets (a string is split on spaces, as stored on cases)."""
    sa = set(a.split()) if isinstance(a, str) else set(a)
    sb = set(b.split()) if isinstance(b, str) else set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)
