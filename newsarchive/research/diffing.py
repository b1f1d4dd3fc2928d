"""What changed between stored versions of an article: title and body word by word, comments.

`article_versions` keeps every title and body a crawl found; this module compares two of them.
Text is split into word and punctuation tokens over Unicode (the `regex` module's `\\w` keeps
Arabic diacritics, tatweel and zero-width joiners inside their word, where `re` splits them), and
the tokens are compared with difflib, so an edit reads as words removed and added. Whitespace
is kept beside each token to print the text as it was, but never compared. Bodies are compared
paragraph by paragraph first, so a long article shows only the paragraphs that changed; a
paragraph of more than LONG_PARAGRAPH tokens is compared in chunks first (`token_opcodes`).

Comments are not versioned; a comment belongs to a version pair when a crawl between the two
versions first stored it (added) or first found it gone (removed). Bylines are not versioned
either (`article_versions` holds title and body only), so a byline change cannot be shown.

    >>> pieces = word_diff("Peshmerga increase co-operation", "Peshmerga step up co-operation")
    >>> render(pieces, colour=False)
    'Peshmerga [-increase-]{+step up+} co-operation'
    >>> render(word_diff("智慧农业园区开放", "智慧林业园区开放"), colour=False)
    '智慧[-农-]{+林+}业园区开放'
"""

from __future__ import annotations

import sqlite3
import zlib
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import pairwise

import click
import regex

from newsarchive.archive.folding import CHARACTER_WORD_CLASS
from newsarchive.parsers.urls import canonicalise_url

# A word (letters with their combining marks, digits, joiners; in Chinese, Japanese or Thai, which
# write no spaces, one character with its marks: else a character edited showed its whole clause
# removed and added) or a run of punctuation, and the whitespace after it.
TOKEN = regex.compile(rf"((?=[{CHARACTER_WORD_CLASS}])\X|[^\W{CHARACTER_WORD_CLASS}]+|[^\w\s]+)(\s*)")
PARAGRAPH_BREAK = regex.compile(r"\n\s*\n")
WORDS = regex.compile(rf"(?=[{CHARACTER_WORD_CLASS}])\X|[^\W{CHARACTER_WORD_CLASS}]+")
EQUAL, REMOVED, ADDED = "equal", "removed", "added"
# difflib's matching takes time of the order of the product of two texts' lengths when their words
# repeat (a paragraph of 200,000 words took 52 s). Past this many tokens a paragraph is compared a
# chunk at a time first, and only the chunks that differ word by word (token_opcodes).
LONG_PARAGRAPH = 5000
# A chunk ends at a token whose CRC-32 is a multiple of CHUNK_MARK (about one token in 16), so the
# two texts cut at the same words and an edit changes only the chunks around it; and after
# LONGEST_CHUNK tokens at most (a text of a few words repeated may hold no such token).
CHUNK_MARK = 16
LONGEST_CHUNK = 64


class DiffError(ValueError):
    """An article or version that is not in the archive: the message says which."""


class VersionChoiceError(DiffError):
    """--from / --to name versions the article does not have, or in the wrong order."""


@dataclass(frozen=True)
class Piece:
    kind: str  # equal, removed or added
    text: str


@dataclass(frozen=True)
class UnchangedParagraphs:
    count: int


@dataclass(frozen=True)
class Version:
    version: int
    captured_at: str
    crawl_id: int | None
    title: str
    body_text: str


@dataclass(frozen=True)
class CommentChange:
    kind: str  # added or removed
    author_name: str | None
    posted_at: str | None
    body_text: str


@dataclass
class VersionDiff:
    old: Version
    new: Version
    title: list[Piece]
    body: list[list[Piece] | UnchangedParagraphs]
    comments: list[CommentChange] = field(default_factory=list)

    def _pieces(self) -> list[Piece]:
        return self.title + [piece for block in self.body if isinstance(block, list) for piece in block]

    @property
    def fields_changed(self) -> list[str]:
        """title and/or body: the fields with a word removed or added."""
        body = self._pieces()[len(self.title):]
        return [name for name, pieces in (("title", self.title), ("body", body))
                if any(piece.kind != EQUAL for piece in pieces)]

    def words(self, kind: str) -> int:
        """Words removed or added, title and body together (punctuation is not counted)."""
        return sum(len(WORDS.findall(piece.text)) for piece in self._pieces() if piece.kind == kind)


# comparing text ------------------------------------------------------------------------------

def tokens(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The text's leading whitespace and its (token, whitespace after it) pairs."""
    leading = text[:len(text) - len(text.lstrip())]
    return leading, [(match[1], match[2]) for match in TOKEN.finditer(text)]


def word_diff(old: str, new: str) -> list[Piece]:
    """The new text, with the tokens the old one had instead marked removed and added."""
    _, old_tokens = tokens(old or "")
    leading, new_tokens = tokens(new or "")
    pieces = [Piece(EQUAL, leading)]
    opcodes = token_opcodes([t for t, _ in old_tokens], [t for t, _ in new_tokens])
    for index, (operation, i1, i2, j1, j2) in enumerate(opcodes):
        if operation == "equal":
            next_removes = index + 1 < len(opcodes) and opcodes[index + 1][0] in ("delete", "replace")
            pieces.append(Piece(EQUAL, _equal_text(new_tokens[j1:j2], old_tokens[i2 - 1][1], next_removes)))
            continue
        if i2 > i1:
            pieces.append(Piece(REMOVED, _join(old_tokens[i1:i2]).rstrip()))
        if j2 > j1:
            pieces.append(Piece(ADDED, _join(new_tokens[j1:j2]).rstrip()))
        # The space after the change: the new text's, or after a pure removal, the old text's.
        pieces.append(Piece(EQUAL, new_tokens[j2 - 1][1] if j2 > j1 else old_tokens[i2 - 1][1]))
    return _merged(pieces)


Opcode = tuple[str, int, int, int, int]  # difflib's: operation, old start and end, new start and end


def token_opcodes(old: list[str], new: list[str]) -> list[Opcode]:
    """difflib's opcodes from the old tokens to the new. Two texts of more than LONG_PARAGRAPH tokens
    are matched chunk by chunk (_chunks), and the tokens of each run of chunks that differ matched
    then, when the run is no longer than LONG_PARAGRAPH tokens; a longer one is all replaced."""
    if max(len(old), len(new)) <= LONG_PARAGRAPH:
        return SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    old_chunks, new_chunks = _chunks(old), _chunks(new)
    # autojunk: a chunk found more than once in a hundred is no anchor (a text of a few words repeated).
    matcher = SequenceMatcher(None, [chunk for chunk, _ in old_chunks], [chunk for chunk, _ in new_chunks])
    opcodes: list[Opcode] = []
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        start_old, end_old = _token_span(old_chunks, i1, i2, len(old))
        start_new, end_new = _token_span(new_chunks, j1, j2, len(new))
        if operation == "equal" or max(end_old - start_old, end_new - start_new) > LONG_PARAGRAPH:
            opcodes.append((operation, start_old, end_old, start_new, end_new))
            continue
        for inner, a1, a2, b1, b2 in SequenceMatcher(None, old[start_old:end_old], new[start_new:end_new],
                                                     autojunk=False).get_opcodes():
            opcodes.append((inner, start_old + a1, start_old + a2, start_new + b1, start_new + b2))
    return _joined_opcodes(opcodes)


def _chunks(tokens: list[str]) -> list[tuple[tuple[str, ...], int]]:
    """The tokens cut into chunks (see CHUNK_MARK): each chunk's tokens and where it starts."""
    chunks, start = [], 0
    for index, token in enumerate(tokens):
        if zlib.crc32(token.encode()) % CHUNK_MARK == 0 or index + 1 - start == LONGEST_CHUNK:
            chunks.append((tuple(tokens[start:index + 1]), start))
            start = index + 1
    if start < len(tokens):
        chunks.append((tuple(tokens[start:]), start))
    return chunks


def _token_span(chunks: list[tuple[tuple[str, ...], int]], first: int, end: int, length: int) -> tuple[int, int]:
    """The tokens of chunks first..end (end excluded), as a span of the text's tokens."""
    start = chunks[first][1] if first < len(chunks) else length
    return start, chunks[end][1] if end < len(chunks) else length


def _joined_opcodes(opcodes: list[Opcode]) -> list[Opcode]:
    """Opcodes with neighbours of the same operation made one (a run of chunks' last equal tokens
    and the equal chunks after it)."""
    joined: list[Opcode] = []
    for opcode in opcodes:
        operation, i1, i2, j1, j2 = opcode
        if joined and joined[-1][0] == operation:
            joined[-1] = (operation, joined[-1][1], i2, joined[-1][3], j2)
        else:
            joined.append(opcode)
    return joined


def _equal_text(pairs: list[tuple[str, str]], old_space: str, before_removal: bool) -> str:
    """Unchanged tokens as the new text spaces them; before a removal, with the old text's space
    after the last one, so "a b c" -> "a b" shows "a b [-c-]", not "a b[-c-]"."""
    if before_removal:
        pairs = pairs[:-1] + [(pairs[-1][0], old_space)]
    return _join(pairs)


def _join(pairs: list[tuple[str, str]]) -> str:
    return "".join(token + space for token, space in pairs)


def _merged(pieces: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for piece in pieces:
        if not piece.text:
            continue
        if merged and merged[-1].kind == piece.kind:
            merged[-1] = Piece(piece.kind, merged[-1].text + piece.text)
        else:
            merged.append(piece)
    return merged


def paragraphs(body: str) -> list[str]:
    return [part.strip() for part in PARAGRAPH_BREAK.split(body or "") if part.strip()]


def body_diff(old: str, new: str) -> list[list[Piece] | UnchangedParagraphs]:
    """Paragraph by paragraph: runs of unchanged ones counted, changed ones diffed word by word."""
    old_paragraphs, new_paragraphs = paragraphs(old), paragraphs(new)
    matcher = SequenceMatcher(None, old_paragraphs, new_paragraphs, autojunk=False)
    blocks: list[list[Piece] | UnchangedParagraphs] = []
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            blocks.append(UnchangedParagraphs(i2 - i1))
        elif operation == "replace" and i2 - i1 == j2 - j1:
            blocks += [word_diff(a, b) for a, b in zip(old_paragraphs[i1:i2], new_paragraphs[j1:j2], strict=True)]
        elif operation == "replace":
            blocks.append(word_diff("\n\n".join(old_paragraphs[i1:i2]), "\n\n".join(new_paragraphs[j1:j2])))
        else:
            blocks += [[Piece(REMOVED, text)] for text in old_paragraphs[i1:i2]]
            blocks += [[Piece(ADDED, text)] for text in new_paragraphs[j1:j2]]
    return blocks


# reading the archive -------------------------------------------------------------------------

def find_article(db: sqlite3.Connection, id_or_url: str) -> dict:
    """The article with this id, or reached by this URL (as given or canonicalised): id, title and
    canonical URL."""
    query = "SELECT id, title, canonical_url AS url FROM articles WHERE "
    if id_or_url.strip().isdigit() and int(id_or_url) < 2**63:  # beyond: no SQLite row id, so no article
        row = db.execute(query + "id = ?", [int(id_or_url)]).fetchone()
        missing = f"the archive has no article {id_or_url.strip()}"
    else:
        # As given, else as the archive stores URLs: a browser's address with tracking
        # parameters, a #fragment or a slug in its own letters names the stored story.
        for url in dict.fromkeys([id_or_url, canonicalise_url(id_or_url.strip())]):
            row = db.execute(query + "id = (SELECT article_id FROM article_urls WHERE url = ?) OR url = ? "
                             "OR canonical_url = ? LIMIT 1", [url] * 3).fetchone() if url else None
            if row is not None:
                break
        missing = f"the archive has no article at {id_or_url}"
    if row is None:
        raise DiffError(missing)
    return {"id": row[0], "title": row[1], "url": row[2]}


def article_versions(db: sqlite3.Connection, article_id: int) -> list[Version]:
    return [Version(*row) for row in db.execute(
        "SELECT version, captured_at, crawl_id, title, body_text FROM article_versions WHERE article_id = ? "
        "ORDER BY version", [article_id])]


def version_pairs(versions: list[Version], first: int | None, last: int | None,
                  label: str = "the article") -> list[tuple[Version, Version]]:
    """Every consecutive pair; or, when --from or --to is given, the one pair from..to (default:
    the first and the latest version)."""
    if len(versions) < 2:
        when = f"only one version (stored {versions[0].captured_at})" if versions else "no stored version"
        raise DiffError(f"{label} has {when}: nothing to compare")
    if first is None and last is None:
        return list(pairwise(versions))
    by_number = {version.version: version for version in versions}
    first = versions[0].version if first is None else first
    last = versions[-1].version if last is None else last
    for number, option in ((first, "--from"), (last, "--to")):
        if number not in by_number:
            raise VersionChoiceError(f"{option} {number}: {label} has versions "
                                     f"{versions[0].version} to {versions[-1].version}")
    if first >= last:
        raise VersionChoiceError(f"--from {first} must be an earlier version than --to {last}")
    return [(by_number[first], by_number[last])]


def comment_changes(db: sqlite3.Connection, article_id: int, after: str, until: str) -> list[CommentChange]:
    """Comments first stored, or first found gone, by a crawl after one version and up to the next."""
    rows = db.execute(
        "SELECT 'added', author_name, posted_at, body_text, first_seen_at AS at, position FROM comments "
        "WHERE article_id = ? AND first_seen_at > ? AND first_seen_at <= ? "
        "UNION ALL SELECT 'removed', author_name, posted_at, body_text, removed_at, position FROM comments "
        "WHERE article_id = ? AND removed_at > ? AND removed_at <= ? ORDER BY 1, 5, 6",
        [article_id, after, until] * 2)
    return [CommentChange(kind, author, posted, text or "") for kind, author, posted, text, _, _ in rows]


def diff_versions(db: sqlite3.Connection, article_id: int, old: Version, new: Version) -> VersionDiff:
    return VersionDiff(old, new, word_diff(old.title, new.title), body_diff(old.body_text, new.body_text),
                       comment_changes(db, article_id, old.captured_at, new.captured_at))


def article_diffs(db: sqlite3.Connection, id_or_url: str, first: int | None = None,
                  last: int | None = None) -> tuple[dict, list[VersionDiff]]:
    article = find_article(db, id_or_url)
    pairs = version_pairs(article_versions(db, article["id"]), first, last, f"article {article['id']}")
    return article, [diff_versions(db, article["id"], old, new) for old, new in pairs]


# printing ------------------------------------------------------------------------------------

def render(pieces: list[Piece], colour: bool) -> str:
    """Removed text red and added green on a terminal; [-removed-] and {+added+} in plain text."""
    parts = []
    for piece in pieces:
        if piece.kind == EQUAL:
            parts.append(piece.text)
        elif colour:
            parts.append(click.style(piece.text, fg="red" if piece.kind == REMOVED else "green"))
        else:
            parts.append(f"[-{piece.text}-]" if piece.kind == REMOVED else f"{{+{piece.text}+}}")
    return "".join(parts)


def format_diffs(article: dict, diffs: list[VersionDiff], colour: bool) -> str:
    lines = [f"article {article['id']}: {article['title']}", article["url"] or ""]
    for diff in diffs:
        lines += [""] + _format_pair(diff, colour)
    return "\n".join(lines) + "\n"


def _format_pair(diff: VersionDiff, colour: bool) -> list[str]:
    old, new = diff.old, diff.new
    header = (f"=== version {old.version} -> {new.version}: {old.captured_at} (crawl {old.crawl_id}) -> "
              f"{new.captured_at} (crawl {new.crawl_id})")
    lines = [click.style(header, bold=True) if colour else header]
    lines.append("title: " + (render(diff.title, colour) if "title" in diff.fields_changed else "unchanged"))
    if "body" in diff.fields_changed:
        lines.append("body:")
        for block in diff.body:
            lines += _format_block(block, colour)
    else:
        lines.append("body: unchanged")
    lines += _format_comments(diff.comments, colour)
    return lines


def _format_block(block: list[Piece] | UnchangedParagraphs, colour: bool) -> list[str]:
    if isinstance(block, UnchangedParagraphs):
        note = f"({block.count} paragraph{'s' if block.count != 1 else ''} unchanged)"
        return ["  " + (click.style(note, dim=True) if colour else note)]
    return ["  " + line for line in render(block, colour).split("\n") if line.strip()]


def _format_comments(comments: list[CommentChange], colour: bool) -> list[str]:
    added = sum(comment.kind == "added" for comment in comments)
    if not comments:
        return ["comments: none added or removed"]
    lines = [f"comments: {added} added, {len(comments) - added} removed"]
    for comment in comments:
        sign, fg = ("+", "green") if comment.kind == "added" else ("-", "red")
        text = " ".join(comment.body_text.split())
        line = f"  {sign} {comment.author_name or 'anonymous'} ({comment.posted_at or 'undated'}): {text}"
        lines.append(click.style(line, fg=fg) if colour else line)
    return lines
